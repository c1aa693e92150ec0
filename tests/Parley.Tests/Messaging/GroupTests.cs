using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

public sealed class GroupServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:GroupAddsPerDay"] = "6";
        settings["Limits:BacklogCap"] = "3";
        settings["Limits:Rates:group-send:Limit"] = "4";
    }
}

public sealed class GroupTests(GroupServer server) : IClassFixture<GroupServer>
{
    private HttpClient Http => server.Http;

    /// <summary>An owner's agents; the first has every other one as a contact of it (so adds join at once).</summary>
    private async Task<List<TestAgent>> AgentsAsync(int count, bool contacts = true)
    {
        var owner = await server.SignupAsync();
        var agents = new List<TestAgent>();
        for (var i = 0; i < count; i++)
        {
            agents.Add(await server.CreateAgentAsync(owner));
        }
        if (contacts)
        {
            foreach (var other in agents.Skip(1))
            {
                await (await Http.PostAsync("/v1/contacts", new { handle = agents[0].Handle }, other.ApiKey)).OkAsync(HttpStatusCode.Created);
            }
        }
        return agents;
    }

    private async Task<string> CreateAsync(TestAgent creator, params TestAgent[] members)
    {
        var created = await (await Http.PostAsync("/v1/groups", new { name = "crew", member_handles = members.Select(m => m.Handle) }, creator.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        return created.GetProperty("group").GetProperty("id").GetString()!;
    }

    private Task<HttpResponseMessage> SendAsync(TestAgent from, string groupId, string text) =>
        Http.PostAsync("/v1/messages", new { conversation_id = groupId, client_msg_id = Guid.NewGuid().ToString("N"), content = new { text } }, from.ApiKey);

    [Fact]
    public async Task CreationJoinsContactsInvitesOthersAndRejectsWhatItMust()
    {
        var agents = await AgentsAsync(2);
        var (_, stranger, guarded) = await server.TwoAgentsAsync();
        await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { group_invite_policy = "contacts_only" }, guarded.ApiKey)).OkAsync();
        await using var strangerSocket = await TestSocket.OpenAsync(server.BaseAddress, stranger.ApiKey);

        var created = await (await Http.PostAsync("/v1/groups", new
        {
            name = "crew", description = "the crew",
            member_handles = new[] { agents[1].Handle, stranger.Handle, guarded.Handle, "no-such-agent-x", agents[0].Handle },
        }, agents[0].ApiKey)).OkAsync(HttpStatusCode.Created);
        var group = created.GetProperty("group");
        Assert.StartsWith("grp_", group.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("admin", group.GetProperty("your_role").GetString());
        Assert.Equal(2, group.GetProperty("member_count").GetInt32());
        var outcomes = created.GetProperty("add_results").EnumerateArray().ToDictionary(r => r.GetProperty("handle").GetString()!);
        Assert.Equal("joined", outcomes[agents[1].Handle].GetProperty("outcome").GetString());
        Assert.Equal("invited", outcomes[stranger.Handle].GetProperty("outcome").GetString());
        Assert.Equal("rejected", outcomes[guarded.Handle].GetProperty("outcome").GetString());
        Assert.Equal("INBOX_RESTRICTED", outcomes[guarded.Handle].GetProperty("code").GetString());
        Assert.Equal("AGENT_NOT_FOUND", outcomes["no-such-agent-x"].GetProperty("code").GetString());
        Assert.Equal("already_member", outcomes[agents[0].Handle].GetProperty("outcome").GetString());

        var invite = await strangerSocket.ExpectAsync("group.invite.received");
        var inviteId = invite.GetProperty("payload").GetProperty("id").GetString();
        Assert.Equal(agents[0].Handle, invite.GetProperty("payload").GetProperty("from").GetProperty("handle").GetString());
        var listed = await (await Http.GetAsync("/v1/groups/invites", stranger.ApiKey)).OkAsync();
        Assert.Equal(inviteId, Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());
        var joined = await (await Http.PostAsync($"/v1/groups/invites/{inviteId}/accept", null, stranger.ApiKey)).OkAsync();
        Assert.Equal(3, joined.GetProperty("member_count").GetInt32());
        await (await Http.PostAsync($"/v1/groups/invites/{inviteId}/accept", null, stranger.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task MembersSeeHistoryFromTheirJoinAndMembershipChangesAreSystemMessages()
    {
        var agents = await AgentsAsync(3);
        var groupId = await CreateAsync(agents[0], agents[1]);
        await (await SendAsync(agents[0], groupId, "before c joined")).OkAsync(HttpStatusCode.Created);
        var added = await (await Http.PostAsync($"/v1/groups/{groupId}/members", new { handle = agents[2].Handle }, agents[0].ApiKey)).OkAsync();
        Assert.Equal("joined", added.GetProperty("outcome").GetString());
        await (await SendAsync(agents[1], groupId, "after c joined")).OkAsync(HttpStatusCode.Created);

        var forC = await (await Http.GetAsync($"/v1/messages/{groupId}", agents[2].ApiKey)).OkAsync();
        Assert.Equal(["after c joined"], forC.GetProperty("data").EnumerateArray().Where(m => m.GetProperty("type").GetString() == "text")
            .Select(m => m.GetProperty("content").GetProperty("text").GetString()));
        var forA = await (await Http.GetAsync($"/v1/messages/{groupId}", agents[0].ApiKey)).OkAsync();
        var system = forA.GetProperty("data").EnumerateArray().Where(m => m.GetProperty("type").GetString() == "system").ToList();
        Assert.Contains(system, m => m.GetProperty("content").GetProperty("data").GetProperty("event").GetString() == "member_joined"
            && m.GetProperty("content").GetProperty("data").GetProperty("handle").GetString() == agents[2].Handle);
        // Members other than the sender get deliveries; the sender does not.
        Assert.Contains((await server.SyncAsync(agents[2])).GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("message").GetProperty("content").TryGetProperty("text", out var t) && t.GetString() == "after c joined");
    }

    [Fact]
    public async Task RolesKeepAnAdminAndProtectTheCreatorAndTheLastAdminLeavingPromotesTheEarliest()
    {
        var agents = await AgentsAsync(4);
        var groupId = await CreateAsync(agents[0], agents[1], agents[2]);
        await (await Http.PostAsync($"/v1/groups/{groupId}/members/{agents[0].Handle}/demote", null, agents[0].ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/groups/{groupId}/members/{agents[0].Handle}", token: agents[0].ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        var notAdmin = await (await Http.PostAsync($"/v1/groups/{groupId}/members/{agents[2].Handle}/promote", null, agents[1].ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("group_admin_required", notAdmin.GetProperty("details").GetProperty("reason").GetString());

        await (await Http.PostAsync($"/v1/groups/{groupId}/members/{agents[1].Handle}/promote", null, agents[0].ApiKey)).OkAsync();
        await (await Http.PostAsync($"/v1/groups/{groupId}/members/{agents[1].Handle}/demote", null, agents[0].ApiKey)).OkAsync();

        // The creator leaves as the only admin: the earliest-joined member takes over.
        var left = await (await Http.PostAsync($"/v1/groups/{groupId}/leave", null, agents[0].ApiKey)).OkAsync();
        Assert.Equal(agents[1].Handle, left.GetProperty("promoted_handle").GetString());
        await (await Http.PostAsync($"/v1/groups/{groupId}/members/{agents[1].Handle}/demote", null, agents[1].ApiKey)).ErrorAsync(ErrorCodes.LastAdmin);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/groups/{groupId}/members/{agents[1].Handle}", token: agents[1].ApiKey)).ErrorAsync(ErrorCodes.LastAdmin);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/groups/{groupId}/members/{agents[2].Handle}", token: agents[1].ApiKey)).OkAsync(HttpStatusCode.NoContent);
        // Nothing is delivered to a member after it left.
        await (await SendAsync(agents[1], groupId, "after they left")).OkAsync(HttpStatusCode.Created);
        Assert.DoesNotContain((await server.SyncAsync(agents[2])).GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("message").GetProperty("content").TryGetProperty("text", out var t) && t.GetString() == "after they left");
        await (await SendAsync(agents[2], groupId, "let me in")).ErrorAsync(ErrorCodes.ConversationNotFound);
    }

    [Fact]
    public async Task DeletionTellsMembersAndFormerMembersGetGroupDeleted()
    {
        var agents = await AgentsAsync(3);
        var groupId = await CreateAsync(agents[0], agents[1]);
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, agents[1].ApiKey);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/groups/{groupId}", token: agents[1].ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        var deleted = await (await Http.SendAsync(HttpMethod.Delete, $"/v1/groups/{groupId}", token: agents[0].ApiKey)).OkAsync();
        var evt = await socket.ExpectAsync("group.deleted");
        Assert.Equal(groupId, evt.GetProperty("payload").GetProperty("group_id").GetString());

        var gone = await (await SendAsync(agents[1], groupId, "hello?")).ErrorAsync(ErrorCodes.GroupDeleted);
        Assert.Equal(groupId, gone.GetProperty("details").GetProperty("group_id").GetString());
        Assert.Equal(agents[0].Handle, gone.GetProperty("details").GetProperty("deleted_by_handle").GetString());
        Assert.Equal(deleted.GetProperty("deleted_at").GetString(), gone.GetProperty("details").GetProperty("deleted_at").GetString());
        await (await Http.GetAsync($"/v1/messages/{groupId}", agents[1].ApiKey)).ErrorAsync(ErrorCodes.GroupDeleted);
        await (await Http.GetAsync($"/v1/groups/{groupId}", agents[2].ApiKey)).ErrorAsync(ErrorCodes.ConversationNotFound);
        Assert.DoesNotContain((await (await Http.GetAsync("/v1/groups", agents[0].ApiKey)).OkAsync()).GetProperty("data").EnumerateArray(),
            g => g.GetProperty("id").GetString() == groupId);
    }

    [Fact]
    public async Task GroupSendsShareARateAndSkipBackloggedMembers()
    {
        var agents = await AgentsAsync(3);
        var groupId = await CreateAsync(agents[0], agents[1], agents[2]);
        await server.Clock.AlignToSecondAsync();
        // agents[2] never syncs: after the cap it is skipped, and named.
        for (var i = 0; i < 4; i++)
        {
            var sender = agents[i % 2];
            var sent = await (await SendAsync(sender, groupId, $"m{i}")).OkAsync(HttpStatusCode.Created);
            if (i == 3)
            {
                Assert.Contains(agents[2].Handle, sent.GetProperty("skipped_recipients").EnumerateArray().Select(h => h.GetString()));
            }
        }
        var limited = await (await SendAsync(agents[2], groupId, "one too many")).ErrorAsync(ErrorCodes.RateLimited);
        Assert.Equal(4, limited.GetProperty("details").GetProperty("limit").GetInt32());
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        // Exactly the cap was stored for the backlogged member, nothing past it.
        var pending = (await server.SyncAsync(agents[2])).GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(3, pending.Count);
        Assert.DoesNotContain(pending, m => m.GetProperty("message").GetProperty("content").TryGetProperty("text", out var t) && t.GetString() == "m3");
    }

    [Fact]
    public async Task AnAdderHasADailyAllowanceAndRestrictedAgentsCannotCreateOrInvite()
    {
        var agents = await AgentsAsync(8);
        var groupId = await CreateAsync(agents[0], agents[1], agents[2], agents[3], agents[4], agents[5], agents[6]);
        var group = await (await Http.GetAsync($"/v1/groups/{groupId}", agents[0].ApiKey)).OkAsync();
        Assert.Equal(7, group.GetProperty("member_count").GetInt32()); // creator + 6 allowed adds
        var limited = await Http.PostAsync($"/v1/groups/{groupId}/members", new { handle = agents[7].Handle }, agents[0].ApiKey);
        var details = (await limited.ErrorAsync(ErrorCodes.RateLimited)).GetProperty("details");
        Assert.Equal(6, details.GetProperty("limit").GetInt32());
        Assert.Equal(86_400, details.GetProperty("window_seconds").GetInt32());

        var admin = await server.AdminTokenAsync();
        await (await Http.PostAsync($"/v1/admin/agents/{agents[1].Id}/restrict", new { reason = "test" }, admin)).OkAsync();
        await (await Http.PostAsync("/v1/groups", new { name = "nope" }, agents[1].ApiKey)).ErrorAsync(ErrorCodes.AgentRestricted);
        // A restricted agent may still write in groups it belongs to.
        await (await SendAsync(agents[1], groupId, "still here")).OkAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task RenamingRecordsASystemMessageAndValidates()
    {
        var agents = await AgentsAsync(2);
        var groupId = await CreateAsync(agents[0], agents[1]);
        var renamed = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/groups/{groupId}", new { name = "renamed" }, agents[0].ApiKey)).OkAsync();
        Assert.Equal("renamed", renamed.GetProperty("name").GetString());
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/groups/{groupId}", new { name = new string('n', 101) }, agents[0].ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/groups/{groupId}", new { name = "mine" }, agents[1].ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        var history = await (await Http.GetAsync($"/v1/messages/{groupId}", agents[1].ApiKey)).OkAsync();
        Assert.Contains(history.GetProperty("data").EnumerateArray(), m => m.GetProperty("type").GetString() == "system"
            && m.GetProperty("content").GetProperty("data").GetProperty("event").GetString() == "group_renamed");
    }
}

/// <summary>The member cap is exact under concurrent accepts (a small cap keeps the stampede cheap).</summary>
public sealed class GroupCapServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:GroupAddsPerDay"] = "1000";
        settings["Limits:GroupMaxMembers"] = "20";
    }
}

public sealed class GroupCapTests(GroupCapServer server) : IClassFixture<GroupCapServer>
{
    [Fact]
    public async Task ConcurrentAcceptsNeverPassTheCap()
    {
        var owner = await server.SignupAsync();
        var creator = await server.CreateAgentAsync(owner);
        var others = new List<TestAgent>();
        for (var i = 0; i < 30; i++)
        {
            others.Add(await server.CreateAgentAsync(owner));
        }
        var created = await (await server.Http.PostAsync("/v1/groups", new { name = "big", member_handles = others.Select(o => o.Handle) }, creator.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var groupId = created.GetProperty("group").GetProperty("id").GetString();
        Assert.All(created.GetProperty("add_results").EnumerateArray(), r => Assert.Equal("invited", r.GetProperty("outcome").GetString()));
        var invites = new List<(TestAgent Agent, string Id)>();
        foreach (var agent in others)
        {
            var mine = await (await server.Http.GetAsync("/v1/groups/invites", agent.ApiKey)).OkAsync();
            invites.Add((agent, mine.GetProperty("data")[0].GetProperty("id").GetString()!));
        }
        var responses = await Task.WhenAll(invites.Select(i => server.Http.PostAsync($"/v1/groups/invites/{i.Id}/accept", null, i.Agent.ApiKey)));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(20, (await refused.ErrorAsync(ErrorCodes.Conflict)).GetProperty("details").GetProperty("limit").GetInt32());
        }
        var group = await (await server.Http.GetAsync($"/v1/groups/{groupId}", creator.ApiKey)).OkAsync();
        Assert.Equal(20, group.GetProperty("member_count").GetInt32());
    }
}

/// <summary>The default cap is 256 members: the 257th is a conflict.</summary>
public sealed class DefaultGroupCapServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Limits:GroupAddsPerDay"] = "1000";
}

public sealed class DefaultGroupCapTests(DefaultGroupCapServer server) : IClassFixture<DefaultGroupCapServer>
{
    [Fact]
    public async Task TheTwoHundredFiftySeventhMemberIsAConflict()
    {
        var owner = await server.SignupAsync();
        var creator = await server.CreateAgentAsync(owner);
        var others = new List<TestAgent>();
        for (var i = 0; i < 256; i++)
        {
            var other = await server.CreateAgentAsync(owner);
            // Having the creator as a contact makes an add a join.
            await (await server.Http.PostAsync("/v1/contacts", new { handle = creator.Handle }, other.ApiKey)).OkAsync(HttpStatusCode.Created);
            others.Add(other);
        }
        var created = await (await server.Http.PostAsync("/v1/groups", new { name = "full", member_handles = others.Select(o => o.Handle) }, creator.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var results = created.GetProperty("add_results").EnumerateArray().ToList();
        Assert.Equal(255, results.Count(r => r.GetProperty("outcome").GetString() == "joined"));
        var last = Assert.Single(results, r => r.GetProperty("outcome").GetString() == "rejected");
        Assert.Equal("CONFLICT", last.GetProperty("code").GetString());
        Assert.Equal(256, created.GetProperty("group").GetProperty("member_count").GetInt32());
        var single = await server.Http.PostAsync($"/v1/groups/{created.GetProperty("group").GetProperty("id").GetString()}/members",
            new { handle = last.GetProperty("handle").GetString() }, creator.ApiKey);
        Assert.Equal(256, (await single.ErrorAsync(ErrorCodes.Conflict)).GetProperty("details").GetProperty("limit").GetInt32());
    }
}
