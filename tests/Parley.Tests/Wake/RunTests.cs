using System.Net;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

/// <summary>A server where a run minute costs a credit and a run lasts at most two minutes.</summary>
public sealed class PricedRunsServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Governance:Prices:run_minute"] = "1";
        settings["Wake:MaxRunSeconds"] = "120";
    }
}

/// <summary>Runs started by hand: one active per agent (exact under concurrency), cancelling, expiry, metering.</summary>
public sealed class RunTests(WakeServer server) : IClassFixture<WakeServer>
{
    private HttpClient Http => server.Http;

    private Task<HttpResponseMessage> StartAsync(Owner owner, string agent, object? body = null, HttpClient? client = null) =>
        (client ?? Http).PostAsync($"/v1/agents/{agent}/runs", body ?? new { }, owner.AccessToken);

    [Fact]
    public async Task AnOwnerStartsAReadsAndCancelsARunAndASecondWaitsForTheFirstToEnd()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var run = await (await StartAsync(owner, agent.Handle, new { input = new { ticket = 42 } })).OkAsync(HttpStatusCode.Created);
        var runId = run.GetProperty("id").GetString()!;
        Assert.StartsWith("run_", runId);
        Assert.Equal(("queued", "manual", agent.Id), (run.GetProperty("status").GetString(), run.GetProperty("reason").GetString(), run.GetProperty("agent_id").GetString()));
        Assert.Equal(42, run.GetProperty("input").GetProperty("ticket").GetInt32());
        Assert.Equal(owner.AccountId, run.GetProperty("requested_by").GetProperty("id").GetString());

        var busy = await (await StartAsync(owner, agent.Plate)).ErrorAsync(ErrorCodes.AgentAlreadyRunning);
        Assert.Equal(runId, busy.GetProperty("details").GetProperty("run_id").GetString());
        Assert.Equal(runId, (await (await Http.GetAsync($"/v1/runs/{runId}", owner.AccessToken)).OkAsync()).GetProperty("id").GetString());
        var listed = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/runs?agent={agent.Handle}&status=queued", owner.AccessToken)).OkAsync();
        Assert.Equal(runId, Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("id").GetString());

        var cancelled = await (await Http.PostAsync($"/v1/runs/{runId}/cancel", null, owner.AccessToken)).OkAsync();
        Assert.Equal(("cancelled", "cancelled_by_owner"), (cancelled.GetProperty("status").GetString(), cancelled.GetProperty("failure_reason").GetString()));
        Assert.Equal(JsonValueKind.String, cancelled.GetProperty("ended_at").ValueKind);
        var again = await (await Http.PostAsync($"/v1/runs/{runId}/cancel", null, owner.AccessToken)).ErrorAsync(ErrorCodes.RunNotCancellable);
        Assert.Equal("cancelled", again.GetProperty("details").GetProperty("run_status").GetString());
        await (await StartAsync(owner, agent.Id)).OkAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AnotherOwnersAgentsAndRunsDoNotExistForThem()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var runId = (await (await StartAsync(owner, agent.Handle)).OkAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        var stranger = await server.SignupAsync();
        await (await StartAsync(stranger, agent.Handle)).ErrorAsync(ErrorCodes.AgentNotFound);
        await (await StartAsync(stranger, "nobody-at-all")).ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.GetAsync($"/v1/runs/{runId}", stranger.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.PostAsync($"/v1/runs/{runId}/cancel", null, stranger.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/runs", stranger.AccessToken)).ErrorAsync(ErrorCodes.WorkspaceNotFound);
        await (await Http.GetAsync($"/v1/workspaces/{stranger.WorkspaceId}/runs?agent={agent.Handle}", stranger.AccessToken)).ErrorAsync(ErrorCodes.AgentNotFound);
        // The input's size is checked before the agent's runs: a busy agent still answers the size first.
        await (await StartAsync(owner, agent.Handle, new { input = new string('x', 70_000) })).ErrorAsync(ErrorCodes.ContentTooLarge);
    }

    [Fact]
    public async Task TwoHundredConcurrentStartsForOneAgentMakeExactlyOneRun()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => StartAsync(owner, agent.Handle)));
        var winner = Assert.Single(answers, r => r.StatusCode == HttpStatusCode.Created);
        var runId = (await winner.OkAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        foreach (var refused in answers.Where(r => r != winner))
        {
            Assert.Equal(runId, (await refused.ErrorAsync(ErrorCodes.AgentAlreadyRunning)).GetProperty("details").GetProperty("run_id").GetString());
        }
        var usage = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage", owner.AccessToken)).OkAsync();
        Assert.Equal(1, usage.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "runs").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task APausedAgentsRunIsSkippedAndRunsAreMeteredAgainstTheQuota()
    {
        var owner = await server.SignupAsync();
        var paused = await server.CreateAgentAsync(owner);
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/agents/{paused.Id}", new { paused = "full" }, owner.AccessToken)).OkAsync();
        var skipped = await (await StartAsync(owner, paused.Handle)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(("skipped", "agent_paused"), (skipped.GetProperty("status").GetString(), skipped.GetProperty("failure_reason").GetString()));

        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{owner.WorkspaceId}/plan", new { plan = "onerun" }, await server.AdminTokenAsync())).OkAsync();
        var agent = await server.CreateAgentAsync(owner);
        var first = (await (await StartAsync(owner, agent.Handle)).OkAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await Http.PostAsync($"/v1/runs/{first}/cancel", null, owner.AccessToken)).OkAsync();
        var refused = await (await StartAsync(owner, agent.Handle)).ErrorAsync(ErrorCodes.QuotaExceeded);
        Assert.Equal(1, refused.GetProperty("details").GetProperty("limit").GetInt64());
    }

    [Fact]
    public async Task ARunNoDeviceTakesExpires()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var runId = (await (await StartAsync(owner, agent.Handle)).OkAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        server.Clock.Advance(TimeSpan.FromSeconds(599));
        await (await Http.PostAsync("/_test/jobs/run-clocks", null)).OkAsync();
        Assert.Equal("queued", (await (await Http.GetAsync($"/v1/runs/{runId}", await LoginAsync(owner))).OkAsync()).GetProperty("status").GetString());
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        await (await Http.PostAsync("/_test/jobs/run-clocks", null)).OkAsync();
        var expired = await (await Http.GetAsync($"/v1/runs/{runId}", await LoginAsync(owner))).OkAsync();
        Assert.Equal(("expired", "no_device"), (expired.GetProperty("status").GetString(), expired.GetProperty("failure_reason").GetString()));
    }

    private async Task<string> LoginAsync(Owner owner) =>
        (await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = owner.Password })).OkAsync()).GetProperty("access_token").GetString()!;
}

/// <summary>A run's minutes are paid in credits: the most it may last is reserved before it starts, the rest given back.</summary>
public sealed class PricedRunTests(PricedRunsServer server) : IClassFixture<PricedRunsServer>
{
    [Fact]
    public async Task ARunReservesItsMostMinutesAndACancelledQueuedRunGivesThemAllBack()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await (await server.Http.PostAsync($"/v1/agents/{agent.Handle}/runs", new { }, owner.AccessToken)).ErrorAsync(ErrorCodes.NoCredits);
        await (await server.Http.PostAsync($"/v1/admin/workspaces/{owner.WorkspaceId}/credits", new { amount = 5, reason = "test" },
            await server.AdminTokenAsync())).OkAsync(HttpStatusCode.Created);
        var runId = (await (await server.Http.PostAsync($"/v1/agents/{agent.Handle}/runs", new { }, owner.AccessToken)).OkAsync(HttpStatusCode.Created))
            .GetProperty("id").GetString();
        async Task<decimal> BalanceAsync() =>
            (await (await server.Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/credits", owner.AccessToken)).OkAsync()).GetProperty("balance").GetDecimal();
        Assert.Equal(3m, await BalanceAsync());
        await (await server.Http.PostAsync($"/v1/runs/{runId}/cancel", null, owner.AccessToken)).OkAsync();
        Assert.Equal(5m, await BalanceAsync());
    }
}
