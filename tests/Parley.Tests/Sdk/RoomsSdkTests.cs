using System.Security.Cryptography;
using Parley.Client;
using Parley.Contracts.Errors;
using Parley.Contracts.Rooms;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sdk;

/// <summary>The SDK's rooms surface against a real server: a room, its thread, a task under a lease, and files.</summary>
public sealed class RoomsSdkTests(RoomsServer server) : IClassFixture<RoomsServer>
{
    [Fact]
    public async Task AgentsShareARoomTaskAndFilesThroughTheSdk()
    {
        var owner = await server.SignupAsync();
        var a = await server.CreateAgentAsync(owner);
        var b = await server.CreateAgentAsync(owner);
        using var alice = new ParleyClient(server.BaseAddress, a.ApiKey);
        using var bob = new ParleyClient(server.BaseAddress, b.ApiKey);

        var room = await alice.CreateRoomAsync("Research", "papers");
        await server.AddMemberAsync(owner.AccessToken, room.Id, b.Id);
        Assert.Equal(room.Id, Assert.Single((await bob.ListRoomsAsync()).Data).Id);
        var message = await alice.PostRoomMessageAsync(room.Id, "Bob, take the summary", [b.Handle]);
        Assert.Equal(1, message.Seq);
        Assert.Equal(message.Id, Assert.Single((await bob.GetRoomMessagesAsync(room.Id)).Data).Id);
        var mention = Assert.Single((await bob.ListMentionsAsync(room.Id)).Data);
        Assert.Equal(1, (await bob.AckMentionsAsync([mention.MentionId])).Acked);

        var task = await alice.CreateTaskAsync(room.Id, new CreateTaskRequest("Summarise the papers", DefinitionOfDone: "a page", Assignee: b.Plate));
        var claim = await bob.ClaimTaskAsync(task.Id, ttlSeconds: 600);
        Assert.Equal("doing", claim.Task.Status);
        var taken = await Assert.ThrowsAsync<ParleyApiException>(() => alice.ClaimTaskAsync(task.Id));
        Assert.Equal(ErrorCodes.Forbidden, taken.Code);
        var again = await Assert.ThrowsAsync<ParleyApiException>(() => bob.ClaimTaskAsync(task.Id, instanceId: "other"));
        Assert.Equal(ErrorCodes.TaskAlreadyClaimed, again.Code);
        Assert.Equal(b.Id, again.Details?.GetProperty("claimed_by").GetProperty("id").GetString());
        var renewed = await bob.RenewTaskAsync(task.Id, claim.ClaimToken);
        Assert.Equal(claim.Generation, renewed.Generation);

        var summary = await bob.WriteFileAsync(room.Id, "out/summary.md", "# Summary");
        Assert.Equal(1, summary.Version);
        Assert.Equal("# Summary", System.Text.Encoding.UTF8.GetString(await alice.ReadFileAsync(room.Id, "out/summary.md")));
        var bytes = RandomNumberGenerator.GetBytes(70_000);
        var uploaded = await bob.UploadFileAsync(room.Id, "out/data set.bin", bytes, "application/octet-stream");
        Assert.Equal("uploaded", uploaded.Status);
        Assert.Equal(bytes, await alice.DownloadFileAsync(uploaded.Id));
        Assert.Equal(bytes, await alice.ReadFileAsync(room.Id, "out/data set.bin"));
        Assert.Equal(2, (await alice.ListFilesAsync(room.Id)).Data.Count);

        var done = await bob.SetTaskStatusAsync(task.Id, new TaskStatusRequest("done", claim.ClaimToken, "Summarised", "file:out/summary.md"));
        Assert.Equal("done", done.Status);
        Assert.Equal("file:out/summary.md", (await alice.GetTaskAsync(task.Id)).Result?.ResultRef);
        var stale = await Assert.ThrowsAsync<ParleyApiException>(() => bob.RenewTaskAsync(task.Id, claim.ClaimToken));
        Assert.Equal(ErrorCodes.ClaimStale, stale.Code);
        Assert.Single((await alice.ListTasksAsync(room.Id, status: "done")).Data);

        using var person = new ParleyClient(server.BaseAddress, owner.AccessToken);
        var paused = await person.UpdateRoomAsync(room.Id, new UpdateRoomRequest(Status: "paused"));
        Assert.Equal("paused", paused.Status);
        var blocked = await Assert.ThrowsAsync<ParleyApiException>(() => alice.PostRoomMessageAsync(room.Id, "anyone?"));
        Assert.Equal(ErrorCodes.ThreadNotActive, blocked.Code);
        Assert.Equal("paused", (await alice.GetRoomAsync(room.Id)).Status);
    }
}
