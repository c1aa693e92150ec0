using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Gateway;

/// <summary>Rules in their order, the default policy, rate limits on the injected clock, and the upstream's failures.</summary>
public sealed class RuleTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task BlockBeatsEverythingRateLimitsCountPerAgentAndDenyModeNeedsAnAllow()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var other = await server.CreateAgentAsync(owner);
        var host = server.Plain.HostPattern;
        await server.AddRuleAsync(owner, new { name = "open", host_pattern = host, action = "allow" });
        var block = await server.AddRuleAsync(owner, new { name = "no deletes", host_pattern = host, method = "delete", action = "block" });
        var blocked = await (await server.CallAsync(agent, "DELETE", server.Plain.Url("/x"))).ErrorAsync(ErrorCodes.PolicyBlocked);
        Assert.Equal((block.Id(), "no deletes"), (blocked.GetProperty("details").GetProperty("rule_id").GetString(),
            blocked.GetProperty("details").GetProperty("rule_name").GetString()));

        await server.AlignMinuteAsync();
        var limit = await server.AddRuleAsync(owner, new { name = "two a minute", host_pattern = host, path_pattern = "/limited/*", action = "rate_limit",
            rate_limit = 2, rate_limit_window = "minute", agent_id = agent.Handle });
        await (await server.CallAsync(agent, "GET", server.Plain.Url("/limited/a"))).OkAsync();
        await (await server.CallAsync(agent, "GET", server.Plain.Url("/limited/b"))).OkAsync();
        var over = await server.CallAsync(agent, "GET", server.Plain.Url("/limited/c"));
        Assert.NotNull(over.Headers.RetryAfter);
        var refused = await over.ErrorAsync(ErrorCodes.RateLimited);
        Assert.Equal((2, 60), (refused.GetProperty("details").GetProperty("limit").GetInt32(), refused.GetProperty("details").GetProperty("window_seconds").GetInt32()));
        await (await server.CallAsync(other, "GET", server.Plain.Url("/limited/c"))).OkAsync(); // the rule is this agent's only
        server.Clock.Advance(TimeSpan.FromSeconds(60));
        await (await server.CallAsync(agent, "GET", server.Plain.Url("/limited/c"))).OkAsync();

        // Deny mode: the allow rule lets calls through; without it, nothing goes.
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/gateway", new { policy_mode = "deny" }, owner.AccessToken)).OkAsync();
        await (await server.CallAsync(agent, "GET", server.Plain.Url("/fine"))).OkAsync();
        var rules = (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/rules", owner.AccessToken)).OkAsync()).GetProperty("data");
        var allow = rules.EnumerateArray().Single(r => r.GetProperty("action").GetString() == "allow");
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/rules/{allow.Id()}", new { enabled = false }, owner.AccessToken)).OkAsync();
        var denied = await (await server.CallAsync(agent, "GET", server.Plain.Url("/fine"))).ErrorAsync(ErrorCodes.PolicyBlocked);
        Assert.Equal("default_policy", denied.GetProperty("details").GetProperty("reason").GetString());
        await (await server.CallAsync(agent, "GET", server.Plain.Url("/limited/d"))).OkAsync(); // a rate_limit rule also allows, within its limit

        var explained = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/explain",
            new { agent = agent.Handle, method = "GET", url = server.Plain.Url("/fine").ToString() }, owner.AccessToken)).OkAsync();
        Assert.Equal(("block", "default_policy", false), (explained.GetProperty("decision").GetString(), explained.GetProperty("reason").GetString(),
            explained.GetProperty("would_count").GetBoolean()));

        // Every refusal is in the log, with its rule; none reached the upstream.
        var log = (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log?decision=blocked", owner.AccessToken)).OkAsync()).GetProperty("data");
        Assert.Equal(2, log.GetArrayLength());
        Assert.Equal(block.Id(), log[1].GetProperty("rule_id").GetString());
        Assert.Equal(ErrorCodes.PolicyBlocked, log[0].GetProperty("error_code").GetString());
        var limited = (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log?decision=rate_limited", owner.AccessToken)).OkAsync()).GetProperty("data");
        Assert.Equal(limit.Id(), Assert.Single(limited.EnumerateArray()).GetProperty("rule_id").GetString());
        Assert.DoesNotContain(server.Plain.Requests, r => r.Method == "DELETE" || r.Path == "/limited/c" && r.Headers.ContainsKey("x-never"));
    }

    [Fact]
    public async Task RulesAndSettingsAreValidated()
    {
        var owner = await server.SignupAsync();
        var rules = $"/v1/workspaces/{owner.WorkspaceId}/rules";
        var missing = await (await Http.PostAsync(rules, new { name = "r", host_pattern = "api.example.org", action = "rate_limit" }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.Equal("rateLimit and rateLimitWindow are required when action is rate_limit", missing.GetProperty("fields").GetProperty("rate_limit")[0].GetString());
        var rule = await server.AddRuleAsync(owner, new { name = "r", host_pattern = "api.example.org", action = "rate_limit", rate_limit = 5, rate_limit_window = "hour" });
        Assert.Equal("At least one field must be provided", (await (await Http.SendAsync(HttpMethod.Patch, $"{rules}/{rule.Id()}", new { }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.ValidationError)).GetProperty("fields").GetProperty("$")[0].GetString());
        var changed = await (await Http.SendAsync(HttpMethod.Patch, $"{rules}/{rule.Id()}", new { action = "allow", rate_limit = (long?)null }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.Contains("rate_limit", changed.GetProperty("fields").EnumerateObject().Select(f => f.Name));
        await (await Http.PostAsync(rules, new { name = "r", host_pattern = "api.example.org", action = "explode" }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync(rules, new { name = "r", host_pattern = "api.example.org", action = "allow", agent_id = "nobody" }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/gateway", new { policy_mode = "maybe" }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.ValidationError);
        var settings = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/gateway", new { per_domain_per_minute = 7 }, owner.AccessToken)).OkAsync();
        Assert.Equal(("allow", 7), (settings.GetProperty("policy_mode").GetString(), settings.GetProperty("per_domain_per_minute").GetInt32()));
        await (await Http.SendAsync(HttpMethod.Delete, $"{rules}/{rule.Id()}", null, owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync($"{rules}/{rule.Id()}", owner.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task TheUpstreamsStatusIsDataItsFailuresAreCatalogErrors()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var failed = await (await server.CallAsync(agent, "GET", server.Plain.Url("/status/503"))).OkAsync();
        Assert.Equal((503, "status 503"), (failed.GetProperty("status").GetInt32(), failed.GetProperty("body").GetString()));
        var binary = await (await server.CallAsync(agent, "GET", server.Plain.Url("/bytes"))).OkAsync();
        Assert.Equal(Convert.ToBase64String([0, 1, 2, 255]), binary.GetProperty("body_base64").GetString());

        var slow = await (await server.CallAsync(agent, "GET", server.Plain.Url("/slow"), timeoutMs: 300)).ErrorAsync(ErrorCodes.UpstreamTimeout);
        Assert.Equal(300, slow.GetProperty("details").GetProperty("timeout_ms").GetInt32());
        var closed = new Uri($"http://127.0.0.1:{ServerProcess.FreePort()}/nothing-listens");
        var unreachable = await (await server.CallAsync(agent, "GET", closed)).ErrorAsync(ErrorCodes.UpstreamError);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, unreachable.GetProperty("details").GetProperty("upstream_status").ValueKind);
        await (await server.CallAsync(agent, "GET", server.Plain.Url("/big"))).ErrorAsync(ErrorCodes.ContentTooLarge);
        await (await server.CallAsync(agent, "GET", new Uri("ftp://example.org/file"))).ErrorAsync(ErrorCodes.InvalidUrl);
        await (await Http.PostAsync("/v1/gateway/calls", new { method = "POST", url = server.Plain.Url("/x").ToString(), body = "a", body_base64 = "YQ==" },
            agent.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        var large = new string('a', (10 * 1024 * 1024) + 1);
        await (await Http.PostAsync("/v1/gateway/calls", new { method = "POST", url = server.Plain.Url("/x").ToString(), body = large }, agent.ApiKey))
            .ErrorAsync(ErrorCodes.ContentTooLarge);

        // The owner's own credentials make no calls; an agent key without the write scope neither.
        await (await Http.PostAsync("/v1/gateway/calls", new { method = "GET", url = server.Plain.Url("/x").ToString() }, owner.AccessToken)).ErrorAsync(ErrorCodes.Forbidden);
        var reader = await server.CreateAgentAsync(owner, scopes: ["read"]);
        await (await server.CallAsync(reader, "GET", server.Plain.Url("/x"))).ErrorAsync(ErrorCodes.ForbiddenScope);
        var errors = (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log?decision=error", owner.AccessToken)).OkAsync()).GetProperty("data");
        Assert.Equal([ErrorCodes.ContentTooLarge, ErrorCodes.UpstreamError, ErrorCodes.UpstreamTimeout],
            errors.EnumerateArray().Select(e => e.GetProperty("error_code").GetString()));
    }

    [Fact]
    public async Task TheLogKeepsACallForThirtyDays()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await (await server.CallAsync(agent, "GET", server.Plain.Url("/kept"))).OkAsync();
        async Task<int> LinesAsync()
        {
            var login = await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = owner.Password })).OkAsync();
            var token = login.GetProperty("access_token").GetString();
            return (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log", token)).OkAsync()).GetProperty("data").GetArrayLength();
        }
        server.Clock.Advance(TimeSpan.FromDays(29));
        await (await Http.PostAsync("/_test/jobs/gateway-cleanup", null)).OkAsync();
        Assert.Equal(1, await LinesAsync());
        server.Clock.Advance(TimeSpan.FromDays(2));
        await (await Http.PostAsync("/_test/jobs/gateway-cleanup", null)).OkAsync();
        Assert.Equal(0, await LinesAsync());
    }
}
