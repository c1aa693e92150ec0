using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Rooms;

/// <summary>The thread and mentions: ordering, history pages, mention rules, acknowledgements, and pushes on the socket.</summary>
public sealed class RoomMessageTests(RoomsServer server) : IClassFixture<RoomsServer>
{
    private HttpClient Http => server.Http;

    private async Task<System.Text.Json.JsonElement> PostAsync(string roomId, string token, object body) =>
        await (await Http.PostAsync($"/v1/rooms/{roomId}/messages", body, token)).OkAsync(HttpStatusCode.Created);

    [Fact]
    public async Task MessagesGetGapFreeSeqsAndHistoryPagesBothWays()
    {
        var setup = await server.RoomWithAgentsAsync();
        var first = await PostAsync(setup.RoomId, setup.A.ApiKey, new { body = "one" });
        Assert.StartsWith("rmsg_", first.Id(), StringComparison.Ordinal);
        Assert.Equal(setup.RoomId, first.GetProperty("room_id").GetString());
        Assert.Equal(1, first.GetProperty("seq").GetInt64());
        Assert.Equal(("agent", setup.A.Handle), (first.GetProperty("sender").GetProperty("kind").GetString(), first.GetProperty("sender").GetProperty("handle").GetString()));
        Assert.Empty(first.GetProperty("mentions").EnumerateArray());
        var reply = await PostAsync(setup.RoomId, setup.Owner.AccessToken, new { body = "two", parent_id = first.Id() });
        Assert.Equal(first.Id(), reply.GetProperty("parent_id").GetString());
        Assert.Equal("account", reply.GetProperty("sender").GetProperty("kind").GetString());
        for (var i = 3; i <= 5; i++)
        {
            Assert.Equal(i, (await PostAsync(setup.RoomId, setup.B.ApiKey, new { body = $"m{i}" })).GetProperty("seq").GetInt64());
        }

        var url = $"/v1/rooms/{setup.RoomId}/messages";
        var latest = await (await Http.GetAsync(url + "?limit=2", setup.A.ApiKey)).OkAsync();
        Assert.Equal([4L, 5L], latest.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        Assert.True(latest.GetProperty("has_more").GetBoolean());
        var before = await (await Http.GetAsync(url + "?limit=2&before_seq=4", setup.A.ApiKey)).OkAsync();
        Assert.Equal([2L, 3L], before.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        Assert.True(before.GetProperty("has_more").GetBoolean());
        var after = await (await Http.GetAsync(url + "?after_seq=3", setup.A.ApiKey)).OkAsync();
        Assert.Equal([4L, 5L], after.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        Assert.False(after.GetProperty("has_more").GetBoolean());
        await (await Http.GetAsync(url + "?after_seq=1&before_seq=3", setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.GetAsync(url + "?limit=201", setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);

        await (await Http.PostAsync(url, new { body = "" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        var tooLarge = await (await Http.PostAsync(url, new { body = new string('x', 32 * 1024 + 1) }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ContentTooLarge);
        Assert.Equal(32 * 1024, tooLarge.GetProperty("details").GetProperty("limit_bytes").GetInt32());
        await PostAsync(setup.RoomId, setup.A.ApiKey, new { body = new string('x', 32 * 1024) });
        var other = await server.RoomWithAgentsAsync();
        var foreignParent = await PostAsync(other.RoomId, other.A.ApiKey, new { body = "elsewhere" });
        await (await Http.PostAsync(url, new { body = "re", parent_id = foreignParent.Id() }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task MentionsNameMemberAgentsAndAreHandledOnce()
    {
        var setup = await server.RoomWithAgentsAsync();
        var url = $"/v1/rooms/{setup.RoomId}/messages";
        var self = await (await Http.PostAsync(url, new { body = "me", mentions = new[] { setup.A.Handle } }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(self.GetProperty("fields").TryGetProperty("mentions[0]", out _));
        var outsider = await server.CreateAgentAsync(setup.Owner);
        var nonMember = await (await Http.PostAsync(url, new { body = "x", mentions = new[] { setup.B.Plate, outsider.Plate } }, setup.A.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(nonMember.GetProperty("fields").TryGetProperty("mentions[1]", out _));
        await (await Http.PostAsync(url, new { body = "x", mentions = new[] { "nobody-by-this-name" } }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);

        var message = await PostAsync(setup.RoomId, setup.A.ApiKey, new { body = "@b have a look", mentions = new[] { setup.B.Plate, setup.B.Handle, setup.B.Id } });
        var mentioned = Assert.Single(message.GetProperty("mentions").EnumerateArray());
        Assert.Equal(setup.B.Plate, mentioned.GetProperty("plate").GetString());

        var list = (await (await Http.GetAsync("/v1/mentions", setup.B.ApiKey)).OkAsync()).GetProperty("data");
        var mention = Assert.Single(list.EnumerateArray());
        Assert.StartsWith("men_", mention.GetProperty("mention_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(setup.RoomId, mention.GetProperty("room_id").GetString());
        Assert.Equal(message.Id(), mention.GetProperty("message_id").GetString());
        Assert.Equal(message.GetProperty("seq").GetInt64(), mention.GetProperty("seq").GetInt64());
        Assert.Equal(setup.A.Handle, mention.GetProperty("from").GetProperty("handle").GetString());
        Assert.Equal("@b have a look", mention.GetProperty("excerpt").GetString());
        Assert.Empty((await (await Http.GetAsync("/v1/mentions", setup.A.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray());

        await (await Http.GetAsync("/v1/mentions?since_seq=0", setup.B.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        var since = message.GetProperty("seq").GetInt64();
        Assert.Empty((await (await Http.GetAsync($"/v1/mentions?room={setup.RoomId}&since_seq={since}", setup.B.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray());
        Assert.Single((await (await Http.GetAsync($"/v1/mentions?room={setup.RoomId}&since_seq={since - 1}", setup.B.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray());

        var ids = new[] { mention.GetProperty("mention_id").GetString() };
        Assert.Equal(1, (await (await Http.PostAsync("/v1/mentions/ack", new { mention_ids = ids }, setup.B.ApiKey)).OkAsync()).GetProperty("acked").GetInt64());
        Assert.Equal(0, (await (await Http.PostAsync("/v1/mentions/ack", new { mention_ids = ids }, setup.B.ApiKey)).OkAsync()).GetProperty("acked").GetInt64());
        Assert.Empty((await (await Http.GetAsync("/v1/mentions", setup.B.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray());

        // By room, up to a seq.
        var second = await PostAsync(setup.RoomId, setup.Owner.AccessToken, new { body = "b?", mentions = new[] { setup.B.Handle } });
        var third = await PostAsync(setup.RoomId, setup.A.ApiKey, new { body = "b!", mentions = new[] { setup.B.Handle } });
        Assert.Equal("account", (await (await Http.GetAsync("/v1/mentions", setup.B.ApiKey)).OkAsync()).GetProperty("data")[0].GetProperty("from").GetProperty("kind").GetString());
        var ack = new { room = setup.RoomId, last_mention_seq = second.GetProperty("seq").GetInt64() };
        Assert.Equal(1, (await (await Http.PostAsync("/v1/mentions/ack", ack, setup.B.ApiKey)).OkAsync()).GetProperty("acked").GetInt64());
        Assert.Equal(0, (await (await Http.PostAsync("/v1/mentions/ack", ack, setup.B.ApiKey)).OkAsync()).GetProperty("acked").GetInt64());
        Assert.Equal(1, (await (await Http.PostAsync("/v1/mentions/ack", new { room = setup.RoomId, last_mention_seq = third.GetProperty("seq").GetInt64() }, setup.B.ApiKey))
            .OkAsync()).GetProperty("acked").GetInt64());
        await (await Http.PostAsync("/v1/mentions/ack", new { }, setup.B.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync("/v1/mentions/ack", new { room = setup.RoomId }, setup.B.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        // Someone else's mention ids count nothing.
        var fourth = await PostAsync(setup.RoomId, setup.B.ApiKey, new { body = "a!", mentions = new[] { setup.A.Handle } });
        var aMention = (await (await Http.GetAsync("/v1/mentions", setup.A.ApiKey)).OkAsync()).GetProperty("data")[0].GetProperty("mention_id").GetString();
        Assert.Equal(0, (await (await Http.PostAsync("/v1/mentions/ack", new { mention_ids = new[] { aMention } }, setup.B.ApiKey)).OkAsync()).GetProperty("acked").GetInt64());
        Assert.Equal(fourth.Id(), (await (await Http.GetAsync("/v1/mentions", setup.A.ApiKey)).OkAsync()).GetProperty("data")[0].GetProperty("message_id").GetString());
        // Owners have no mentions route.
        await (await Http.GetAsync("/v1/mentions", setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.Forbidden);
    }

    [Fact]
    public async Task AnAgentPausedByItsOwnerCannotPostToARoom()
    {
        var setup = await server.RoomWithAgentsAsync();
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{setup.Owner.WorkspaceId}/agents/{setup.A.Id}", new { paused = "send" }, setup.Owner.AccessToken))
            .OkAsync();
        var error = await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "hi" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.AgentPausedByOwner);
        Assert.Equal("send", error.GetProperty("details").GetProperty("mode").GetString());
        await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/messages", setup.A.ApiKey)).OkAsync();
        await PostAsync(setup.RoomId, setup.B.ApiKey, new { body = "B is not paused" });
    }

    [Fact]
    public async Task ConcurrentAcknowledgementsOfOneMentionCountItOnce()
    {
        var setup = await server.RoomWithAgentsAsync();
        await PostAsync(setup.RoomId, setup.A.ApiKey, new { body = "ping", mentions = new[] { setup.B.Handle } });
        var id = (await (await Http.GetAsync("/v1/mentions", setup.B.ApiKey)).OkAsync()).GetProperty("data")[0].GetProperty("mention_id").GetString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Http.PostAsync("/v1/mentions/ack", new { mention_ids = new[] { id } }, setup.B.ApiKey)));
        var total = 0L;
        foreach (var response in responses)
        {
            total += (await response.OkAsync()).GetProperty("acked").GetInt64();
        }
        Assert.Equal(1, total);
    }

    [Fact]
    public async Task MessagesMentionsAndTaskChangesArePushedToMemberAgents()
    {
        // Across nodes events may arrive in any order, so each step waits for one kind of event only.
        var setup = await server.RoomWithAgentsAsync();
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, setup.B.ApiKey);
        var message = await PostAsync(setup.RoomId, setup.A.ApiKey, new { body = "look" });
        var pushed = (await socket.ExpectAsync("room.message")).GetProperty("payload");
        Assert.Equal((message.Id(), "look", setup.A.Handle), (pushed.Id(), pushed.GetProperty("body").GetString(),
            pushed.GetProperty("sender").GetProperty("handle").GetString()));

        var mentioning = await PostAsync(setup.RoomId, setup.A.ApiKey, new { body = "@b look here", mentions = new[] { setup.B.Handle } });
        var mention = (await socket.ExpectAsync("mention.new")).GetProperty("payload");
        Assert.Equal(mentioning.Id(), mention.GetProperty("message_id").GetString());
        Assert.Equal(setup.A.Handle, mention.GetProperty("from").GetProperty("handle").GetString());
        Assert.Equal("@b look here", mention.GetProperty("excerpt").GetString());

        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId, "Write the report", assignee: setup.B.Handle);
        var created = await socket.ExpectTaskChangeAsync("created");
        Assert.Equal(("created", task.Id(), setup.RoomId), (created.GetProperty("change").GetString(), created.GetProperty("task_id").GetString(),
            created.GetProperty("room_id").GetString()));
        Assert.Equal(setup.B.Id, created.GetProperty("task").GetProperty("assignee").GetProperty("id").GetString());

        await using var socketA = await TestSocket.OpenAsync(server.BaseAddress, setup.A.ApiKey);
        await server.ClaimOkAsync(setup.B, task.Id());
        var claimed = await socketA.ExpectTaskChangeAsync("claimed");
        Assert.Equal("claimed", claimed.GetProperty("change").GetString());
        Assert.Equal(setup.B.Id, claimed.GetProperty("task").GetProperty("claim").GetProperty("holder").GetProperty("id").GetString());

        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/tasks/{task.Id()}", token: setup.Owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        var deleted = await socketA.ExpectTaskChangeAsync("deleted");
        Assert.Equal(("deleted", System.Text.Json.JsonValueKind.Null), (deleted.GetProperty("change").GetString(), deleted.GetProperty("task").ValueKind));
    }
}
