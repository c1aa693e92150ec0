using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

public sealed class EnforcementServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:Enforcement:RestrictBlocksPer24Hours"] = "3";
        settings["Limits:Enforcement:SuspendBlocksPer7Days"] = "5";
        settings["Limits:Enforcement:SuspendReportsPer7Days"] = "2";
    }
}

public sealed class SocialTests(EnforcementServer server) : IClassFixture<EnforcementServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task MutesStopPushesButNotDelivery()
    {
        var (a, b) = await server.PairAsync();
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, b.ApiKey);
        await socket.ExpectAsync("message.new"); // "hi" from the pairing
        var mute = await (await Http.PostAsync("/v1/mutes", new { handle = a.Handle }, b.ApiKey)).OkAsync(HttpStatusCode.Created);
        await server.SendOkAsync(a, b.Handle, "muted");
        // Pushes are read from the delivery feed in order: once a later message from someone else arrives, the muted one
        // was passed over (without this, the unmute below could land before the feed read it, and it would be pushed).
        var other = await server.CreateAgentAsync(await server.SignupAsync());
        await server.SendOkAsync(other, b.Handle, "marker");
        Assert.Equal("marker", (await socket.ExpectAsync("message.new")).GetProperty("payload").GetProperty("message").GetProperty("content").GetProperty("text").GetString());
        var listed = await (await Http.GetAsync("/v1/mutes", b.ApiKey)).OkAsync();
        Assert.Equal(a.Handle, Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("handle").GetString());
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/mutes/{mute.GetProperty("id").GetString()}", token: b.ApiKey)).OkAsync(HttpStatusCode.NoContent);
        await server.SendOkAsync(a, b.Handle, "loud");
        var pushed = await socket.ExpectAsync("message.new");
        Assert.Equal("loud", pushed.GetProperty("payload").GetProperty("message").GetProperty("content").GetProperty("text").GetString());
        Assert.Contains((await server.SyncAsync(b)).GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("message").GetProperty("content").GetProperty("text").GetString() == "muted");
        await (await Http.PostAsync("/v1/mutes", new { handle = a.Handle, conversation_id = "conv_x" }, b.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Delete, "/v1/mutes/mute_none", token: b.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task PresenceIsForContactsAndAnOpenSocketMeansOnline()
    {
        var (a, b) = await server.PairAsync(); // contacts of each other
        var (_, stranger, _) = await server.TwoAgentsAsync();
        Assert.Equal("offline", (await (await Http.GetAsync($"/v1/presence/{a.Handle}", b.ApiKey)).OkAsync()).GetProperty("status").GetString());
        await using (var socketA = await TestSocket.OpenAsync(server.BaseAddress, a.ApiKey))
        {
            Assert.Equal("online", (await (await Http.GetAsync($"/v1/presence/{a.Handle}", b.ApiKey)).OkAsync()).GetProperty("status").GetString());
            await using var socketB = await TestSocket.OpenAsync(server.BaseAddress, b.ApiKey);
            var set = await (await Http.SendAsync(HttpMethod.Put, "/v1/presence", new { status = "busy", custom_message = "deep work" }, a.ApiKey)).OkAsync();
            Assert.Equal("busy", set.GetProperty("status").GetString());
            var update = await socketB.ExpectAsync("presence.update");
            Assert.Equal("busy", update.GetProperty("payload").GetProperty("status").GetString());
            Assert.Equal("deep work", update.GetProperty("payload").GetProperty("custom_message").GetString());
        }
        await (await Http.GetAsync($"/v1/presence/{a.Handle}", stranger.ApiKey)).ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.SendAsync(HttpMethod.Put, "/v1/presence", new { status = "away" }, a.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task AReportAlsoBlocksAndIsAcceptedOnce()
    {
        var (a, b) = await server.PairAsync();
        await (await Http.PostAsync($"/v1/contacts/{a.Handle}/report", new { reason = "spam" }, b.ApiKey)).OkAsync(HttpStatusCode.NoContent);
        await (await server.SendTextAsync(a, b.Handle)).ErrorAsync(ErrorCodes.Blocked);
        var blocks = await (await Http.GetAsync("/v1/blocks", b.ApiKey)).OkAsync();
        Assert.Equal(a.Handle, Assert.Single(blocks.GetProperty("data").EnumerateArray()).GetProperty("handle").GetString());
        await (await Http.PostAsync($"/v1/contacts/{a.Handle}/report", new { }, b.ApiKey)).ErrorAsync(ErrorCodes.Conflict);
    }

    /// <summary>A spammer contacts agents cold; those who block it count, others' blocks do not.</summary>
    private async Task<(TestAgent Spammer, List<TestAgent> Targets, Owner Owner)> SpammerAsync(int targets)
    {
        var owner = await server.SignupAsync();
        var spammer = await server.CreateAgentAsync(owner);
        var list = new List<TestAgent>();
        for (var i = 0; i < targets; i++)
        {
            var t = await server.CreateAgentAsync(owner);
            await server.SendOkAsync(spammer, t.Handle, "buy now");
            list.Add(t);
        }
        return (spammer, list, owner);
    }

    [Fact]
    public async Task BlocksFromColdContactedAgentsRestrictAndTheRestrictionLiftsByItself()
    {
        var (spammer, targets, owner) = await SpammerAsync(3);
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, spammer.ApiKey);
        // A block from an agent the spammer never messaged first does not count.
        var bystander = await server.CreateAgentAsync(owner);
        await server.SendOkAsync(bystander, spammer.Handle, "hello");
        await (await Http.PostAsync($"/v1/contacts/{spammer.Handle}/block", null, bystander.ApiKey)).OkAsync(HttpStatusCode.NoContent);
        for (var i = 0; i < 3; i++)
        {
            await (await Http.PostAsync($"/v1/contacts/{spammer.Handle}/block", null, targets[i].ApiKey)).OkAsync(HttpStatusCode.NoContent);
        }
        var changed = await socket.ExpectAsync("agent.status_changed");
        Assert.Equal("restricted", changed.GetProperty("payload").GetProperty("status").GetString());
        var fresh = await server.CreateAgentAsync(owner);
        await (await server.SendTextAsync(spammer, fresh.Handle)).ErrorAsync(ErrorCodes.AgentRestricted);

        // A day later the 24 h count is back under the threshold: the job lifts it.
        server.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await (await Http.PostAsync("/_test/jobs/enforcement-lift", null)).OkAsync();
        Assert.Equal("active", (await (await Http.GetAsync("/v1/agents/me", spammer.ApiKey)).OkAsync()).GetProperty("status").GetString());
        await server.SendOkAsync(spammer, fresh.Handle, "allowed again");
    }

    [Fact]
    public async Task EnoughBlocksOrReportsInAWeekSuspendAndCloseTheSockets()
    {
        var (spammer, targets, _) = await SpammerAsync(2);
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, spammer.ApiKey);
        await (await Http.PostAsync($"/v1/contacts/{spammer.Handle}/report", new { reason = "scam" }, targets[0].ApiKey)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.PostAsync($"/v1/contacts/{spammer.Handle}/report", new { reason = "scam" }, targets[1].ApiKey)).OkAsync(HttpStatusCode.NoContent);
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, await socket.WaitClosedAsync());
        var me = await (await Http.GetAsync("/v1/agents/me", spammer.ApiKey)).OkAsync();
        Assert.Equal("suspended", me.GetProperty("status").GetString());
        // Only an admin lifts a suspension; the job does not.
        server.Clock.Advance(TimeSpan.FromDays(8));
        await (await Http.PostAsync("/_test/jobs/enforcement-lift", null)).OkAsync();
        Assert.Equal("suspended", (await (await Http.GetAsync("/v1/agents/me", spammer.ApiKey)).OkAsync()).GetProperty("status").GetString());
    }
}
