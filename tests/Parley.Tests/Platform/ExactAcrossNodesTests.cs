using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

/// <summary>
/// Two server processes on one PostgreSQL database: quota admission, credit spending and one active run per agent
/// stay exact when the concurrent requests are spread over both nodes.
/// </summary>
public sealed class ExactAcrossNodesTests : IAsyncLifetime
{
    private PostgresNodes _cluster = null!;

    private List<ServerProcess> Nodes => _cluster.Nodes;

    public async Task InitializeAsync() => _cluster = await PostgresNodes.StartAsync(2, "--Testing:FaultHooks=true", $"--Admin:Emails={Actors.AdminEmail}",
            "--Plans:metered:MonthlyGovernedCalls=50", "--Governance:Prices:governed_call=1", "--Network:AllowPrivateAddresses=true");

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>A new owner (signed up through <paramref name="node"/>), its workspace, and an agent of it.</summary>
    private static async Task<(string Owner, string Workspace, TestAgent Agent)> OwnerWithAgentAsync(HttpClient node)
    {
        var signup = await (await node.PostAsync("/v1/auth/signup", new { email = Actors.NewEmail(), password = "correct horse battery", name = "N" }))
            .OkAsync(HttpStatusCode.Created);
        var owner = signup.GetProperty("access_token").GetString()!;
        var ws = signup.GetProperty("workspace").GetProperty("id").GetString()!;
        var agent = Actors.ToAgent(await (await node.PostAsync($"/v1/workspaces/{ws}/agents", new { handle = Actors.NewHandle() }, owner)).OkAsync(HttpStatusCode.Created));
        return (owner, ws, agent);
    }

    [Fact]
    public async Task QuotaAdmissionAndCreditSpendingAreExactAcrossTwoNodes()
    {
        if (!TestDatabase.IsPostgres)
        {
            return; // several nodes need PostgreSQL; the PostgreSQL run covers this.
        }
        using var a = new HttpClient { BaseAddress = Nodes[0].BaseAddress };
        using var b = new HttpClient { BaseAddress = Nodes[1].BaseAddress };
        async Task<(string Token, string Workspace)> SignupAsync(string email)
        {
            var body = await (await a.PostAsync("/v1/auth/signup", new { email, password = "correct horse battery", name = "N" })).OkAsync(HttpStatusCode.Created);
            return (body.GetProperty("access_token").GetString()!, body.GetProperty("workspace").GetProperty("id").GetString()!);
        }
        var (admin, _) = await SignupAsync(Actors.AdminEmail);
        var (owner, ws) = await SignupAsync(Actors.NewEmail());
        await (await b.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{ws}/plan", new { plan = "metered" }, admin)).OkAsync();
        await (await b.PostAsync($"/v1/admin/workspaces/{ws}/credits", new { amount = 5, reason = "test" }, admin)).OkAsync(HttpStatusCode.Created);

        var admissions = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            (i % 2 == 0 ? a : b).PostAsync("/_test/governance/admit", new { workspace_id = ws, meter = "governed_calls" })));
        Assert.Equal(50, admissions.Count(r => r.StatusCode == HttpStatusCode.OK));
        await admissions.First(r => r.StatusCode != HttpStatusCode.OK).ErrorAsync(ErrorCodes.QuotaExceeded);
        Assert.All(admissions.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        var usage = await (await a.GetAsync($"/v1/workspaces/{ws}/usage", owner)).OkAsync();
        Assert.Equal(50, usage.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "governed_calls")
            .GetProperty("count").GetInt64());

        var spends = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? a : b).PostAsync("/_test/governance/spend", new { workspace_id = ws })));
        Assert.Equal(5, spends.Count(r => r.StatusCode == HttpStatusCode.OK));
        await spends.First(r => r.StatusCode != HttpStatusCode.OK).ErrorAsync(ErrorCodes.NoCredits);
        Assert.All(spends.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.PaymentRequired, r.StatusCode));
        var balance = await (await b.GetAsync($"/v1/workspaces/{ws}/credits", owner)).OkAsync();
        Assert.Equal(0m, balance.GetProperty("balance").GetDecimal());
        var ledger = (await (await a.GetAsync($"/v1/workspaces/{ws}/credits/ledger?limit=200", owner)).OkAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(6, ledger.Count);
        Assert.Equal(0m, ledger.Sum(e => e.GetProperty("delta").GetDecimal()));
        Assert.All(ledger, e => Assert.True(e.GetProperty("balance_after").GetDecimal() >= 0));
    }

    [Fact]
    public async Task TheGatewaysPerDomainLimitIsExactAcrossTwoNodes()
    {
        if (!TestDatabase.IsPostgres)
        {
            return; // several nodes need PostgreSQL; the PostgreSQL run covers this.
        }
        using var a = new HttpClient { BaseAddress = Nodes[0].BaseAddress };
        using var b = new HttpClient { BaseAddress = Nodes[1].BaseAddress };
        await using var upstream = await Upstream.StartAsync();
        var admin = (await (await a.PostAsync("/v1/auth/login", new { email = Actors.AdminEmail, password = "correct horse battery" })).JsonAsync())
            .TryGetProperty("access_token", out var token) ? token.GetString() : (await (await a.PostAsync("/v1/auth/signup",
                new { email = Actors.AdminEmail, password = "correct horse battery", name = "Admin" })).OkAsync(HttpStatusCode.Created)).GetProperty("access_token").GetString();
        var (owner, ws, agent) = await OwnerWithAgentAsync(a);
        await (await b.PostAsync($"/v1/admin/workspaces/{ws}/credits", new { amount = 1000, reason = "test" }, admin)).OkAsync(HttpStatusCode.Created);
        await (await a.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{ws}/gateway", new { per_domain_per_minute = 10 }, owner)).OkAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).PostAsync("/v1/gateway/calls",
            new { method = "GET", url = upstream.Url($"/n/{i}").ToString() }, agent.ApiKey)));
        await answers.First(r => r.StatusCode != HttpStatusCode.OK).ErrorAsync(ErrorCodes.OutgoingRateLimited);
        // The windows are real minutes here: in every minute the burst touched, exactly the limit went out (or all, if fewer came).
        var lines = (await (await a.GetAsync($"/v1/workspaces/{ws}/gateway/log?limit=100", owner)).OkAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(40, lines.Count);
        foreach (var minute in lines.GroupBy(l => l.GetProperty("created_at").GetDateTimeOffset().ToUnixTimeSeconds() / 60))
        {
            Assert.Equal(Math.Min(10, minute.Count()), minute.Count(l => l.GetProperty("decision").GetString() == "allowed"));
        }
        Assert.Equal(answers.Count(r => r.StatusCode == HttpStatusCode.OK), upstream.Requests.Count);

        // One CA for the deployment: both nodes serve the same certificate, made by whichever asked first.
        var pems = await Task.WhenAll(a.GetStringAsync("/v1/gateway/ca.pem"), b.GetStringAsync("/v1/gateway/ca.pem"));
        Assert.Equal(pems[0], pems[1]);
    }

    [Fact]
    public async Task TheOwnerEventStreamOnOneNodeCarriesWhatHappensOnTheOther()
    {
        if (!TestDatabase.IsPostgres)
        {
            return; // several nodes need PostgreSQL; the PostgreSQL run covers this.
        }
        using var a = new HttpClient { BaseAddress = Nodes[0].BaseAddress };
        using var b = new HttpClient { BaseAddress = Nodes[1].BaseAddress };
        var (owner, ws, agent) = await OwnerWithAgentAsync(a);
        using var response = await a.SendAsync(Http.Request(HttpMethod.Get, $"/v1/workspaces/{ws}/events", null, owner), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith(":", await reader.ReadLineAsync());
        var runId = (await (await b.PostAsync($"/v1/agents/{agent.Handle}/runs", new { }, owner)).OkAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains(runId!, StringComparison.Ordinal))
            {
                return;
            }
        }
        Assert.Fail("node A's stream did not carry the run made on node B");
    }

    [Fact]
    public async Task TwoHundredStartsOfOneAgentOverTwoNodesMakeOneRun()
    {
        if (!TestDatabase.IsPostgres)
        {
            return; // several nodes need PostgreSQL; the PostgreSQL run covers this.
        }
        using var a = new HttpClient { BaseAddress = Nodes[0].BaseAddress };
        using var b = new HttpClient { BaseAddress = Nodes[1].BaseAddress };
        var (owner, ws, agent) = await OwnerWithAgentAsync(a);

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => (i % 2 == 0 ? a : b).PostAsync($"/v1/agents/{agent.Handle}/runs", new { }, owner)));
        var winner = Assert.Single(answers, r => r.StatusCode == HttpStatusCode.Created);
        var runId = (await winner.OkAsync(HttpStatusCode.Created)).GetProperty("id").GetString();
        foreach (var refused in answers.Where(r => r != winner))
        {
            Assert.Equal(runId, (await refused.ErrorAsync(ErrorCodes.AgentAlreadyRunning)).GetProperty("details").GetProperty("run_id").GetString());
        }
    }
}
