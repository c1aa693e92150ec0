using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

public sealed class SendTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task AMessageIsStoredNumberedAndDeliveredToTheRecipient()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        var response = await Http.PostAsync("/v1/messages", new
        {
            to = b.Handle, client_msg_id = "c-1", type = "text", content = new { text = "hello" }, metadata = new { trace = 7 },
        }, a.ApiKey);
        var message = await response.OkAsync(HttpStatusCode.Created);
        Assert.StartsWith("msg_", message.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("conv_", message.GetProperty("conversation_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, message.GetProperty("seq").GetInt64());
        Assert.Equal("agent", message.GetProperty("sender").GetProperty("kind").GetString());
        Assert.Equal(a.Handle, message.GetProperty("sender").GetProperty("handle").GetString());
        Assert.Equal(a.Plate, message.GetProperty("sender").GetProperty("plate").GetString());
        Assert.Equal("hello", message.GetProperty("content").GetProperty("text").GetString());
        Assert.Equal(7, message.GetProperty("metadata").GetProperty("trace").GetInt32());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", message.GetProperty("created_at").GetString());

        var sync = await server.SyncAsync(b);
        var delivered = Assert.Single(sync.GetProperty("messages").EnumerateArray());
        Assert.StartsWith("del_", delivered.GetProperty("delivery_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(message.GetProperty("id").GetString(), delivered.GetProperty("message").GetProperty("id").GetString());
        Assert.False(sync.GetProperty("has_more").GetBoolean());
        // The sender gets no delivery of its own message.
        Assert.Empty((await server.SyncAsync(a)).GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task ARepeatedClientMsgIdReturnsTheOriginalAndStoresNothing()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        var first = await (await server.SendTextAsync(a, b.Handle, "one", "same-id")).OkAsync(HttpStatusCode.Created);
        var again = await (await server.SendTextAsync(a, b.Handle, "different text", "same-id")).OkAsync(HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.Equal("one", again.GetProperty("content").GetProperty("text").GetString());
        Assert.Single((await server.SyncAsync(b)).GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task TheRepeatIsLookedUpBeforeAnyCheck()
    {
        var (owner, a, b) = await server.TwoAgentsAsync();
        await (await server.SendTextAsync(a, b.Handle, "before the pause", "kept")).OkAsync(HttpStatusCode.Created);
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/agents/{a.Id}", new { paused = "send" }, owner.AccessToken)).OkAsync();
        await (await server.SendTextAsync(a, b.Handle, "before the pause", "kept")).OkAsync(HttpStatusCode.OK);
        var paused = await (await server.SendTextAsync(a, b.Handle, "new")).ErrorAsync(ErrorCodes.AgentPausedByOwner);
        Assert.Equal("send", paused.GetProperty("details").GetProperty("mode").GetString());
    }

    [Fact]
    public async Task ASuspendedAgentCannotSend()
    {
        var admin = await server.AdminTokenAsync();
        var (_, a, b) = await server.TwoAgentsAsync();
        await (await server.SendTextAsync(a, b.Handle, "x", "before")).OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync($"/v1/admin/agents/{a.Id}/suspend", new { reason = "test" }, admin)).OkAsync();
        await (await server.SendTextAsync(a, b.Handle)).ErrorAsync(ErrorCodes.AgentSuspended);
        // Even a suspended agent's retry of a stored message gets the original: the lookup comes first.
        await (await server.SendTextAsync(a, b.Handle, "x", "before")).OkAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ShapeIsCheckedAndSizeIsLimited()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        var big = new string('x', 32_760);
        var error = await (await Http.PostAsync("/v1/messages", new { to = b.Handle, client_msg_id = "big", content = new { text = big } }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ContentTooLarge);
        Assert.Equal(32_768, error.GetProperty("details").GetProperty("limit_bytes").GetInt32());
        await (await server.SendTextAsync(a, a.Handle)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync("/v1/messages", new { to = b.Handle, content = new { text = "x" } }, a.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync("/v1/messages", new { to = b.Handle, client_msg_id = "x1", conversation_id = "conv_x", content = new { text = "x" } }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync("/v1/messages", new { to = b.Handle, client_msg_id = "x2", type = "structured", content = new { text = "x" } }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        var structured = await (await Http.PostAsync("/v1/messages", new { to = b.Handle, client_msg_id = "x3", type = "structured", content = new { data = new { n = 1 } } }, a.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        Assert.Equal(1, structured.GetProperty("content").GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task UnknownRecipientsAndConversationsAreNotFound()
    {
        var (owner, a, b) = await server.TwoAgentsAsync();
        await (await server.SendTextAsync(a, "no-such-agent-here")).ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.PostAsync("/v1/messages", new { conversation_id = "conv_nope", client_msg_id = "n1", content = new { text = "x" } }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ConversationNotFound);
        var sent = await server.SendOkAsync(a, b.Handle);
        var c = await server.CreateAgentAsync(owner);
        await (await Http.PostAsync("/v1/messages", new { conversation_id = sent.GetProperty("conversation_id").GetString(), client_msg_id = "n2", content = new { text = "x" } }, c.ApiKey))
            .ErrorAsync(ErrorCodes.ConversationNotFound);
        // The recipient may answer through the conversation id.
        await (await Http.PostAsync("/v1/messages", new { conversation_id = sent.GetProperty("conversation_id").GetString(), client_msg_id = "n3", content = new { text = "re" } }, b.ApiKey))
            .OkAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ColdConversationsWaitForAReplyThenBecomeContactsForGood()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        var first = await server.SendOkAsync(a, b.Handle);
        var waiting = await (await server.SendTextAsync(a, b.Handle)).ErrorAsync(ErrorCodes.AwaitingReply);
        Assert.Equal(b.Handle, waiting.GetProperty("details").GetProperty("recipient_handle").GetString());
        Assert.Equal(first.GetProperty("created_at").GetString(), waiting.GetProperty("details").GetProperty("waiting_since").GetString());

        await server.SendOkAsync(b, a.Handle, "reply");
        await server.SendOkAsync(a, b.Handle, "now we talk");
        await server.SendOkAsync(a, b.Handle, "and again");
        var contacts = await (await Http.GetAsync("/v1/contacts", a.ApiKey)).OkAsync();
        Assert.Contains(contacts.GetProperty("data").EnumerateArray(), c => c.GetProperty("handle").GetString() == b.Handle);
        Assert.Contains((await (await Http.GetAsync("/v1/contacts", b.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray(),
            c => c.GetProperty("handle").GetString() == a.Handle);
    }

    [Fact]
    public async Task BlocksStopDirectMessagesBothWaysAndComeBeforeInboxRules()
    {
        var (a, b) = await server.PairAsync();
        await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { inbox_mode = "contacts_only" }, b.ApiKey)).OkAsync();
        await (await Http.PostAsync($"/v1/contacts/{a.Handle}/block", null, b.ApiKey)).OkAsync(HttpStatusCode.NoContent);
        await (await server.SendTextAsync(a, b.Handle)).ErrorAsync(ErrorCodes.Blocked);
        await (await server.SendTextAsync(b, a.Handle)).ErrorAsync(ErrorCodes.Blocked);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/contacts/{a.Handle}/block", token: b.ApiKey)).OkAsync(HttpStatusCode.NoContent);
        await server.SendOkAsync(a, b.Handle);
    }

    [Fact]
    public async Task AContactsOnlyInboxTakesOnlyContacts()
    {
        var (owner, a, b) = await server.TwoAgentsAsync();
        await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { inbox_mode = "contacts_only" }, b.ApiKey)).OkAsync();
        var error = await (await server.SendTextAsync(a, b.Handle)).ErrorAsync(ErrorCodes.InboxRestricted);
        Assert.Equal(b.Handle, error.GetProperty("details").GetProperty("handle").GetString());
        await (await Http.PostAsync("/v1/contacts", new { handle = a.Handle }, b.ApiKey)).OkAsync(HttpStatusCode.Created);
        await server.SendOkAsync(a, b.Handle);
        _ = owner;
    }

    [Fact]
    public async Task ARestrictedAgentKeepsItsConversationsButStartsNoNewOnes()
    {
        var admin = await server.AdminTokenAsync();
        var (owner, a, b) = await server.TwoAgentsAsync();
        await server.SendOkAsync(a, b.Handle);
        await server.SendOkAsync(b, a.Handle);
        await (await Http.PostAsync($"/v1/admin/agents/{a.Id}/restrict", new { reason = "probation" }, admin)).OkAsync();
        await server.SendOkAsync(a, b.Handle, "still allowed");
        var c = await server.CreateAgentAsync(owner);
        await (await server.SendTextAsync(a, c.Handle)).ErrorAsync(ErrorCodes.AgentRestricted);
    }

    [Fact]
    public async Task HistoryReadsAscendingPagesAndHidesPerAgent()
    {
        var (a, b) = await server.PairAsync();
        for (var i = 0; i < 5; i++)
        {
            await server.SendOkAsync(a, b.Handle, $"m{i}");
        }
        var conversation = (await server.SendOkAsync(a, b.Handle, "m5")).GetProperty("conversation_id").GetString();
        var latest = await (await Http.GetAsync($"/v1/messages/{conversation}?limit=3", b.ApiKey)).OkAsync();
        Assert.Equal([6L, 7L, 8L], latest.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        Assert.True(latest.GetProperty("has_more").GetBoolean());
        var before = await (await Http.GetAsync($"/v1/messages/{conversation}?limit=3&before_seq=6", b.ApiKey)).OkAsync();
        Assert.Equal([3L, 4L, 5L], before.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        var after = await (await Http.GetAsync($"/v1/messages/{conversation}?after_seq=6", b.ApiKey)).OkAsync();
        Assert.Equal([7L, 8L], after.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
        Assert.False(after.GetProperty("has_more").GetBoolean());
        await (await Http.GetAsync($"/v1/messages/{conversation}?after_seq=1&before_seq=5", b.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);

        var hideId = latest.GetProperty("data")[0].GetProperty("id").GetString();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/messages/{hideId}", token: b.ApiKey)).OkAsync(HttpStatusCode.NoContent);
        var afterHide = await (await Http.GetAsync($"/v1/messages/{conversation}?limit=3", b.ApiKey)).OkAsync();
        Assert.DoesNotContain(afterHide.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == hideId);
        var forA = await (await Http.GetAsync($"/v1/messages/{conversation}?limit=3", a.ApiKey)).OkAsync();
        Assert.Contains(forA.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == hideId);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/messages/{hideId}", token: b.ApiKey)).ErrorAsync(ErrorCodes.MessageNotFound);
    }

    [Fact]
    public async Task ConversationsListNewestFirstWithUnreadCountsAndReadReceipts()
    {
        var (owner, a, b) = await server.TwoAgentsAsync();
        var c = await server.CreateAgentAsync(owner);
        await server.SendOkAsync(b, a.Handle, "from b");
        await server.SendOkAsync(c, a.Handle, "from c 1");
        var list = await (await Http.GetAsync("/v1/conversations", a.ApiKey)).OkAsync();
        var conversations = list.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, conversations.Count);
        Assert.Equal("from c 1", conversations[0].GetProperty("last_message").GetProperty("content").GetProperty("text").GetString());
        Assert.All(conversations, x => Assert.Equal(1, x.GetProperty("unread_count").GetInt64()));

        var lastId = conversations[0].GetProperty("last_message").GetProperty("id").GetString();
        var read = await (await Http.PostAsync($"/v1/messages/{lastId}/read", null, a.ApiKey)).OkAsync();
        Assert.Equal(1, read.GetProperty("last_read_seq").GetInt64());
        var after = await (await Http.GetAsync("/v1/conversations", a.ApiKey)).OkAsync();
        Assert.Equal(0, after.GetProperty("data")[0].GetProperty("unread_count").GetInt64());
        Assert.Equal(1, after.GetProperty("data")[1].GetProperty("unread_count").GetInt64());

        var paged = await (await Http.GetAsync("/v1/conversations?limit=1", a.ApiKey)).OkAsync();
        var next = paged.GetProperty("next_cursor").GetString();
        var second = await (await Http.GetAsync($"/v1/conversations?limit=1&cursor={Uri.EscapeDataString(next!)}", a.ApiKey)).OkAsync();
        Assert.Equal(conversations[1].GetProperty("id").GetString(), second.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
        await (await Http.PostAsync("/v1/messages/msg_nope/read", null, a.ApiKey)).ErrorAsync(ErrorCodes.MessageNotFound);
    }
}
