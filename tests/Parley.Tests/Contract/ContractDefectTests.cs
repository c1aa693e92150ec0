using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Contract;

/// <summary>Defects found by trying Parley as a new client would, each with the request that showed it.</summary>
public sealed class ContractDefectTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task MalformedTimestampsEnumsAndNumbersAnswerValidationErrorsNamingTheField()
    {
        var (a, b) = await server.PairAsync();
        var tomorrow = await (await Http.PostAsync("/v1/mutes", new { handle = b.Handle, muted_until = "tomorrow" }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(tomorrow.GetProperty("fields").TryGetProperty("muted_until", out _), tomorrow.ToString());
        // A date without an offset is not RFC 3339 either.
        await (await Http.PostAsync("/v1/mutes", new { handle = b.Handle, muted_until = "2030-01-01 10:00" }, a.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);

        var number = await (await Http.SendAsync(HttpMethod.Get, "/v1/conversations?limit=many", token: a.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(number.GetProperty("fields").TryGetProperty("limit", out _), number.ToString());
        var huge = await (await Http.SendAsync(HttpMethod.Get, "/v1/conversations?limit=99999999999999", token: a.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(huge.GetProperty("fields").TryGetProperty("limit", out _), huge.ToString());
    }

    [Fact]
    public async Task AJsonBodyThatIsNotUtf8IsMalformedWhereverTheBadBytesAre()
    {
        var (a, _) = await server.PairAsync();
        // Found by the fuzz test: bad bytes inside a field the server ignores passed (200) and the change applied.
        byte[][] bodies = [[.. "{\"x\":\""u8, 0xC3, 0x28, .. "\"}"u8], [.. "{\"description\":\"ok\",\"x\":\""u8, 0xFF, .. "\"}"u8]];
        foreach (var bytes in bodies)
        {
            var error = await (await PatchBytesAsync(bytes)).ErrorAsync(ErrorCodes.ValidationError);
            Assert.True(error.GetProperty("fields").TryGetProperty("$", out _), error.ToString());
        }
        var me = await (await Http.GetAsync("/v1/agents/me", a.ApiKey)).OkAsync();
        Assert.NotEqual("ok", me.GetProperty("description").GetString());
        // A byte order mark is allowed (RFC 8259), and UTF-8 of every script passes.
        Assert.Equal("中文 é 😀", (await (await PatchBytesAsync([0xEF, 0xBB, 0xBF, .. "{\"description\":\"中文 é 😀\"}"u8])).OkAsync())
            .GetProperty("description").GetString());

        Task<HttpResponseMessage> PatchBytesAsync(byte[] bytes)
        {
            var request = new HttpRequestMessage(HttpMethod.Patch, "/v1/agents/me") { Content = new ByteArrayContent(bytes) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", a.ApiKey);
            return Http.SendAsync(request);
        }
    }

    [Fact]
    public async Task NulIsRefusedInEveryStringOfABodyOrAQuery()
    {
        // Found by the fuzz test on PostgreSQL (which cannot store U+0000): these answered 500 there.
        var setup = await server.RoomWithAgentsAsync();
        var post = await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "a\0b" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(post.GetProperty("fields").TryGetProperty("body", out var why), post.ToString());
        Assert.Contains("NUL", why[0].GetString(), StringComparison.Ordinal);
        var task = await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/tasks", new { title = "t", definition_of_done = "\0" }, setup.A.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(task.GetProperty("fields").TryGetProperty("definition_of_done", out _), task.ToString());
        var mute = await (await Http.PostAsync("/v1/mutes", new { conversation_id = "\0" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(mute.GetProperty("fields").TryGetProperty("conversation_id", out _), mute.ToString());
        var group = await (await Http.PostAsync("/v1/groups", new { name = "g", member_handles = new[] { "\0" } }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(group.GetProperty("fields").TryGetProperty("member_handles[0]", out _), group.ToString());
        var query = await (await Http.GetAsync("/v1/conversations?cursor=a%00b", setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(query.GetProperty("fields").TryGetProperty("cursor", out _), query.ToString());
        // Also inside a message's free JSON content; the same text without NUL goes through.
        var content = await (await Http.PostAsync("/v1/messages", new { to = setup.B.Handle, client_msg_id = "nul-content", type = "structured",
            content = new { data = new { list = new[] { "ok", "a\0" } } } }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(content.GetProperty("fields").TryGetProperty("content.data.list[1]", out _), content.ToString());
        await (await Http.PostAsync("/v1/messages", new { to = setup.B.Handle, client_msg_id = "nul-content", type = "structured",
            content = new { data = new { list = new[] { "ok", "a\\u0000" } } } }, setup.A.ApiKey)).OkAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task FieldsAreKeyedTheSameWayForParseAndRuleErrors()
    {
        var (a, b) = await server.PairAsync();
        var parse = await (await Http.PostAsync("/v1/messages", "{\"to\": 5, \"client_msg_id\": \"c1\"}", a.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(parse.GetProperty("fields").TryGetProperty("to", out _), parse.ToString());
        var rule = await (await Http.PostAsync("/v1/messages", new { to = b.Handle, client_msg_id = "c2", type = "text", content = new { } }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(rule.GetProperty("fields").TryGetProperty("content.text", out _), rule.ToString());
        var nested = await (await Http.PostAsync("/v1/groups", "{\"name\": \"g\", \"member_handles\": [\"x\", 7]}", a.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(nested.GetProperty("fields").TryGetProperty("member_handles[1]", out _), nested.ToString());
    }

    [Fact]
    public async Task NamesRefuseControlAndBidirectionalFormattingCharacters()
    {
        var owner = await server.SignupAsync();
        foreach (var name in new[] { "evil\u0000name", "line\nbreak", "gnp.exe\u202Etxt", "c1\u0085name" })
        {
            var agent = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents",
                new { handle = Actors.NewHandle(), display_name = name }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
            Assert.True(agent.GetProperty("fields").TryGetProperty("display_name", out _));
            var room = await (await Http.PostAsync("/v1/rooms", new { name }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
            Assert.True(room.GetProperty("fields").TryGetProperty("name", out _));
        }
        // Letters of any script are names.
        await (await Http.PostAsync("/v1/rooms", new { name = "Планы für 2027 — 計画" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task TheFirstAccountSeesItIsAdminAtSignUpAsGetMeSays()
    {
        var fresh = new FirstAccountServer();
        await fresh.InitializeAsync();
        try
        {
            var body = await (await fresh.Http.PostAsync("/v1/auth/signup", new { email = Actors.NewEmail(), password = "correct horse battery", name = "First" }))
                .OkAsync(HttpStatusCode.Created);
            Assert.True(body.GetProperty("account").GetProperty("is_admin").GetBoolean());
            var me = await (await fresh.Http.GetAsync("/v1/me", body.GetProperty("access_token").GetString())).OkAsync();
            Assert.True(me.GetProperty("account").GetProperty("is_admin").GetBoolean());
            var second = await (await fresh.Http.PostAsync("/v1/auth/signup", new { email = Actors.NewEmail(), password = "correct horse battery", name = "Second" }))
                .OkAsync(HttpStatusCode.Created);
            Assert.False(second.GetProperty("account").GetProperty("is_admin").GetBoolean());
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task EveryPlaceThatNamesAnAgentTakesItsIdHandleOrPlate()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        foreach (var name in new[] { b.Id, b.Plate, b.Plate.ToLowerInvariant(), b.Handle.ToUpperInvariant() })
        {
            var profile = await (await Http.GetAsync($"/v1/agents/{name}", a.ApiKey)).OkAsync();
            Assert.Equal(b.Handle, profile.GetProperty("handle").GetString());
        }
        var c = await server.CreateAgentAsync(await server.SignupAsync());
        var contact = await (await Http.PostAsync("/v1/contacts", new { handle = c.Plate }, a.ApiKey)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(c.Handle, contact.GetProperty("handle").GetString());
        var sent = await (await Http.PostAsync("/v1/messages", new { to = b.Id, client_msg_id = "by-id", content = new { text = "hi" } }, a.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var again = await (await Http.PostAsync("/v1/messages", new { to = b.Plate, client_msg_id = "by-plate", content = new { text = "hi" } }, a.ApiKey))
            .ErrorAsync(ErrorCodes.AwaitingReply);
        Assert.Equal(b.Handle, again.GetProperty("details").GetProperty("recipient_handle").GetString());
        Assert.Equal(sent.GetProperty("conversation_id").GetString(), (await server.SyncAsync(b)).GetProperty("messages")[0].GetProperty("message").GetProperty("conversation_id").GetString());
        var self = await (await Http.PostAsync("/v1/messages", new { to = a.Plate, client_msg_id = "self", content = new { text = "me" } }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(self.GetProperty("fields").TryGetProperty("to", out _));
        var mute = await (await Http.PostAsync("/v1/mutes", new { handle = b.Id }, a.ApiKey)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(b.Handle, mute.GetProperty("handle").GetString());
    }

    [Fact]
    public async Task KeyIdsCarryTheKeyPrefixAndRevokeByIt()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var keys = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}/keys", owner.AccessToken)).OkAsync();
        var keyId = keys.GetProperty("data")[0].GetProperty("id").GetString()!;
        Assert.StartsWith("key_", keyId, StringComparison.Ordinal);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}/keys/{keyId}", token: owner.AccessToken))
            .OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync("/v1/agents/me", agent.ApiKey)).ErrorAsync(ErrorCodes.Revoked);
    }

    [Fact]
    public async Task SequenceWindowsRefuseNegativeNumbers()
    {
        var (a, b) = await server.PairAsync();
        var sent = await server.SendOkAsync(a, b.Handle);
        var conversation = sent.GetProperty("conversation_id").GetString();
        foreach (var query in new[] { "before_seq=-5", "after_seq=-1" })
        {
            var error = await (await Http.GetAsync($"/v1/messages/{conversation}?{query}", a.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
            Assert.True(error.GetProperty("fields").TryGetProperty(query[..query.IndexOf('=', StringComparison.Ordinal)], out _));
        }
        var setup = await server.RoomWithAgentsAsync();
        await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/messages?before_seq=-5", setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.GetAsync($"/v1/mentions?room={setup.RoomId}&since_seq=-1", setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task GroupMembersMustBeNamed()
    {
        var (a, _) = await server.PairAsync();
        var error = await (await Http.PostAsync("/v1/groups", "{\"name\": \"g\", \"member_handles\": [\"x\", null, \"\"]}", a.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(error.GetProperty("fields").TryGetProperty("member_handles[1]", out _), error.ToString());
        Assert.True(error.GetProperty("fields").TryGetProperty("member_handles[2]", out _), error.ToString());
    }
}

/// <summary>A server where nobody is named admin: the first account to sign up is.</summary>
public sealed class FirstAccountServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Admin:Emails"] = null;
}
