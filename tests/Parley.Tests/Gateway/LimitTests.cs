using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Gateway;

/// <summary>A server where every governed call costs one credit.</summary>
public sealed class PricedGatewayServer : GatewayServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["Governance:Prices:governed_call"] = "1";
    }
}

/// <summary>The per-domain limit, the monthly quota and credits: exact under concurrency; refused calls are logged, not counted, not sent.</summary>
public sealed class LimitTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task FortyConcurrentCallsToADomainLimitedToTenMakeExactlyTen()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/gateway", new { per_domain_per_minute = 10 }, owner.AccessToken)).OkAsync();
        await server.AlignMinuteAsync();
        var before = server.Plain.Requests.Count;
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => server.CallAsync(agent, "GET", server.Plain.Url($"/n/{i}"))));
        Assert.Equal(10, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.OK))
        {
            var error = await refused.ErrorAsync(ErrorCodes.OutgoingRateLimited);
            Assert.Equal("127.0.0.1", error.GetProperty("details").GetProperty("domain").GetString());
        }
        Assert.Equal(10, server.Plain.Requests.Count - before);
        var usage = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage", owner.AccessToken)).OkAsync();
        Assert.Equal(10, usage.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "governed_calls").GetProperty("count").GetInt64());
        var limited = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log?decision=rate_limited&limit=100", owner.AccessToken)).OkAsync();
        Assert.Equal(30, limited.GetProperty("data").GetArrayLength());

        // The next minute has room again.
        server.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await server.CallAsync(agent, "GET", server.Plain.Url("/n/next"))).OkAsync();
    }

    [Fact]
    public async Task TheMonthlyQuotaStopsCallsBeforeTheyAreSent()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{owner.WorkspaceId}/plan", new { plan = "threecalls" }, await server.AdminTokenAsync())).OkAsync();
        var before = server.Plain.Requests.Count;
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => server.CallAsync(agent, "GET", server.Plain.Url($"/q/{i}"))));
        Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        var refused = await answers.First(a => a.StatusCode != HttpStatusCode.OK).ErrorAsync(ErrorCodes.QuotaExceeded);
        Assert.Equal(3, refused.GetProperty("details").GetProperty("limit").GetInt32());
        Assert.Equal(3, server.Plain.Requests.Count - before);
    }
}

/// <summary>Credits: a call is paid before it is sent; without credits nothing goes out.</summary>
public sealed class CreditTests(PricedGatewayServer server) : IClassFixture<PricedGatewayServer>
{
    [Fact]
    public async Task TwoCreditsPayForExactlyTwoOfTwentyConcurrentCalls()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await (await server.Http.PostAsync($"/v1/admin/workspaces/{owner.WorkspaceId}/credits", new { amount = 2, reason = "test" }, await server.AdminTokenAsync())).OkAsync(HttpStatusCode.Created);
        var before = server.Plain.Requests.Count;
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => server.CallAsync(agent, "GET", server.Plain.Url($"/c/{i}"))));
        Assert.Equal(2, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        await answers.First(a => a.StatusCode != HttpStatusCode.OK).ErrorAsync(ErrorCodes.NoCredits);
        Assert.Equal(2, server.Plain.Requests.Count - before);
        var balance = await (await server.Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/credits", owner.AccessToken)).OkAsync();
        Assert.Equal(0m, balance.GetProperty("balance").GetDecimal());
    }
}

/// <summary>A server that keeps the gateway off private addresses, as production does.</summary>
public sealed class StrictGatewayServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Network:AllowPrivateAddresses"] = "false";
}

/// <summary>The address actually connected to decides, after DNS: a literal and a name that resolves to loopback are both refused.</summary>
public sealed class PrivateAddressTests(StrictGatewayServer server) : IClassFixture<StrictGatewayServer>
{
    [Fact]
    public async Task LoopbackIsRefusedWhetherWrittenOrResolved()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await using var upstream = await Upstream.StartAsync();
        foreach (var url in new[] { upstream.Url("/x"), new UriBuilder(upstream.Url("/x")) { Host = "localhost" }.Uri })
        {
            var refused = await (await server.CallAsync(agent, "GET", url)).ErrorAsync(ErrorCodes.PolicyBlocked);
            Assert.Equal("private_address", refused.GetProperty("details").GetProperty("reason").GetString());
        }
        Assert.Empty(upstream.Requests);
    }
}
