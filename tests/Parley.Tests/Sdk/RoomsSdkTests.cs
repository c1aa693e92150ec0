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

    [Fact]
    public async Task OwnersRunTheBoardMembersConsentAndGrantThroughTheSdk()
    {
        var setup = await server.CrossOwnerRoomAsync(scopesOfA: ["read", "write", "invoke", "upload", "download"]);
        using var ownerA = new ParleyClient(server.BaseAddress, setup.OwnerA.AccessToken);
        using var ownerB = new ParleyClient(server.BaseAddress, setup.OwnerB.AccessToken);
        using var agentA = new ParleyClient(server.BaseAddress, setup.AgentA.ApiKey);
        var roomId = setup.RoomId;

        var members = (await ownerA.ListRoomMembersAsync(roomId)).Data;
        Assert.Contains(members, m => m.Id == setup.AgentB.Id && m.WorkspaceId == setup.OwnerB.WorkspaceId);
        var helper = await server.CreateAgentAsync(setup.OwnerA);
        Assert.Equal(("agent", "member"), (await ownerA.AddRoomMemberAsync(roomId, new AddRoomMemberRequest(helper.Handle)) is var added ? (added.Kind, added.Role) : default));
        await ownerA.RemoveRoomMemberAsync(roomId, helper.Id);
        Assert.DoesNotContain((await ownerA.ListRoomMembersAsync(roomId)).Data, m => m.Id == helper.Id);

        // A task edited, its log read, then deleted.
        var task = await agentA.CreateTaskAsync(roomId, new CreateTaskRequest("Draft"));
        var edited = await agentA.UpdateTaskAsync(task.Id, new UpdateTaskRequest(Title: "Draft the summary"));
        Assert.Equal("Draft the summary", edited.Title);
        Assert.Equal(["created", "updated"], (await ownerA.ListTaskEventsAsync(task.Id)).Data.Select(e => e.Type));
        await agentA.DeleteTaskAsync(task.Id);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<ParleyApiException>(() => ownerA.GetTaskAsync(task.Id))).Code);

        // B's owner decides on tasks given to B's agent: one accepted, one rejected; then trusts the room.
        var pending = await agentA.CreateTaskAsync(roomId, new CreateTaskRequest("Review", Assignee: setup.AgentB.Plate));
        Assert.Equal("pending", pending.Consent);
        Assert.Equal("accepted", (await ownerB.AcceptTaskAsync(pending.Id)).Consent);
        var refused = await agentA.CreateTaskAsync(roomId, new CreateTaskRequest("Sign", Assignee: setup.AgentB.Plate));
        Assert.Equal("rejected", (await ownerB.RejectTaskAsync(refused.Id, "not ours")).Consent);
        Assert.Equal("trust_room", (await ownerB.SetRoomConsentAsync(roomId, new ConsentRequest("trust_room"))).Mode);
        Assert.Equal("accepted", (await agentA.CreateTaskAsync(roomId, new CreateTaskRequest("Trusted", Assignee: setup.AgentB.Plate))).Consent);

        // A file deleted; then B's workspace withdraws its grant: its agent can no longer be given tasks.
        await agentA.WriteFileAsync(roomId, "tmp/scratch.txt", "x");
        await agentA.DeleteFileAsync(roomId, "tmp/scratch.txt");
        Assert.DoesNotContain((await agentA.ListFilesAsync(roomId)).Data, f => f.Path == "tmp/scratch.txt");
        await ownerB.WithdrawRoomGrantAsync(roomId);
        Assert.Equal(ErrorCodes.NoGrant, (await Assert.ThrowsAsync<ParleyApiException>(() =>
            agentA.CreateTaskAsync(roomId, new CreateTaskRequest("After", Assignee: setup.AgentB.Plate)))).Code);
    }
}
