using System.Net;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Gateway;

/// <summary>Sites: manifest discovery and validation, tools called as governed calls, the agent's identity presented and verified.</summary>
public sealed class SiteTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    private HttpClient Http => server.Http;

    private static string Manifest(Upstream site, object? tools = null) => JsonSerializer.Serialize(new
    {
        name = "Weather", version = "1.2", server = new { url = site.Url("/api").ToString() }, auth = new { type = "bearer" },
        tools = tools ?? new object[]
        {
            new { name = "forecast", description = "The forecast for a city.",
                input_schema = new { type = "object", required = new[] { "city" }, properties = new { city = new { type = "string", minLength = 2 } } } },
            new { name = "broken", description = "Always fails.", input_schema = new { type = "object" } },
        },
    });

    [Fact]
    public async Task ASitesToolsAreFoundCheckedAndCalledAsTheAgentThroughTheGateway()
    {
        await using var site = await Upstream.StartAsync();
        site.Answers["/.well-known/webmcp.json"] = _ => (404, "text/plain", "no");
        site.Answers["/webmcp.json"] = _ => (404, "text/plain", "no");
        site.Answers["/api/webmcp/manifest"] = _ => (200, "application/json", Manifest(site));
        site.Answers["/api/tools/forecast"] = seen => (200, "application/json", "{\"city\":" + JsonDocument.Parse(seen.Body).RootElement.GetProperty("city").GetRawText() + ",\"sky\":\"clear\"}");
        site.Answers["/api/tools/broken"] = _ => (500, "text/plain", "boom");
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);

        var created = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/sites",
            new { url = site.BaseAddress.ToString(), token = "site-token-31", present_identity = true }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(site.Url("/api/webmcp/manifest").ToString(), created.GetProperty("site").GetProperty("manifest_url").GetString());
        Assert.Equal(["forecast", "broken"], created.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var siteId = created.GetProperty("site").Id();
        Assert.StartsWith("sec_", created.GetProperty("site").GetProperty("token_entry_id").GetString());
        var listed = await (await Http.GetAsync("/v1/sites", agent.ApiKey)).OkAsync();
        Assert.Equal(siteId, listed.GetProperty("data")[0].GetProperty("site").Id());

        var answer = await (await Http.PostAsync($"/v1/sites/{siteId}/tools/forecast/call", new { arguments = new { city = "Oslo" } }, agent.ApiKey)).OkAsync();
        Assert.Equal("clear", answer.GetProperty("result").GetProperty("sky").GetString());
        var seen = site.Requests.Single(r => r.Path == "/api/tools/forecast");
        Assert.Equal(("Bearer site-token-31", "{\"city\":\"Oslo\"}"), (seen.Headers["authorization"], Encoding.UTF8.GetString(seen.Body)));

        // The site can tell who called: the identity header verifies for its host, and for no other.
        var identity = seen.Headers["parley-agent-identity"];
        var publishable = (await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}/keys", new { kind = "publishable" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created)).GetProperty("api_key").GetString();
        var verified = await (await Http.PostAsync("/v1/identity/verify", new { token = identity, audience = site.BaseAddress.Host }, publishable)).OkAsync();
        Assert.True(verified.GetProperty("valid").GetBoolean());
        Assert.Equal((agent.Id, owner.WorkspaceId), (verified.GetProperty("agent").GetProperty("id").GetString(), verified.GetProperty("owner").GetString()));
        var elsewhere = await (await Http.PostAsync("/v1/identity/verify", new { token = identity, audience = "evil.example.org" }, publishable)).OkAsync();
        Assert.Equal((false, "audience"), (elsewhere.GetProperty("valid").GetBoolean(), elsewhere.GetProperty("reason").GetString()));
        var garbage = await (await Http.PostAsync("/v1/identity/verify", new { token = "not-a-token", audience = "x" }, publishable)).OkAsync();
        Assert.Equal((false, "malformed"), (garbage.GetProperty("valid").GetBoolean(), garbage.GetProperty("reason").GetString()));
        server.Clock.Advance(TimeSpan.FromMinutes(6));
        var stale = await (await Http.PostAsync("/v1/identity/verify", new { token = identity, audience = site.BaseAddress.Host }, publishable)).OkAsync();
        Assert.Equal((false, "expired"), (stale.GetProperty("valid").GetBoolean(), stale.GetProperty("reason").GetString()));

        var invalid = await (await Http.PostAsync($"/v1/sites/{siteId}/tools/forecast/call", new { arguments = new { city = "O" } }, agent.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(invalid.GetProperty("fields").TryGetProperty("city", out _));
        await (await Http.PostAsync($"/v1/sites/{siteId}/tools/nowcast/call", new { arguments = new { } }, agent.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        var failed = await (await Http.PostAsync($"/v1/sites/{siteId}/tools/broken/call", new { arguments = new { } }, agent.ApiKey)).ErrorAsync(ErrorCodes.UpstreamError);
        Assert.Equal((500, "site"), (failed.GetProperty("details").GetProperty("upstream_status").GetInt32(), failed.GetProperty("details").GetProperty("upstream").GetString()));
        var log = (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log", owner.AccessToken)).OkAsync()).GetProperty("data");
        Assert.Equal(["tool", "tool"], log.EnumerateArray().Select(l => l.GetProperty("via").GetString()));

        // Another owner's agent sees nothing of it.
        var stranger = await server.CreateAgentAsync(await server.SignupAsync());
        await (await Http.PostAsync($"/v1/sites/{siteId}/tools/forecast/call", new { arguments = new { city = "Oslo" } }, stranger.ApiKey)).ErrorAsync(ErrorCodes.NotFound);

        site.Answers["/api/webmcp/manifest"] = _ => (200, "application/json", Manifest(site, new object[] { new { name = "only", description = "x", input_schema = new { type = "object" } } }));
        var refreshed = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/sites/{siteId}/refresh", null, owner.AccessToken)).OkAsync();
        Assert.Equal(["only"], refreshed.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/sites/{siteId}", null, owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task AManifestMustBeFoundAndWellFormed()
    {
        await using var site = await Upstream.StartAsync();
        var owner = await server.SignupAsync();
        var sites = $"/v1/workspaces/{owner.WorkspaceId}/sites";
        foreach (var path in new[] { "/.well-known/webmcp.json", "/webmcp.json", "/api/webmcp/manifest" })
        {
            site.Answers[path] = _ => (404, "text/plain", "no");
        }
        var missing = await (await Http.PostAsync(sites, new { url = site.BaseAddress.ToString() }, owner.AccessToken)).ErrorAsync(ErrorCodes.NotFound, "tried");
        Assert.Equal(3, missing.GetProperty("details").GetProperty("tried").GetArrayLength());
        site.Answers["/webmcp.json"] = _ => (200, "application/json", Manifest(site, new object[]
        {
            new { name = "fine", description = "x", input_schema = new { type = "object" } },
            new { name = "bad", description = "y", input_schema = "not a schema" },
        }));
        var malformed = await (await Http.PostAsync(sites, new { url = site.BaseAddress.ToString() }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(malformed.GetProperty("fields").TryGetProperty("tools[1].input_schema", out _));
        await (await Http.PostAsync(sites, new { url = "ftp://example.org" }, owner.AccessToken)).ErrorAsync(ErrorCodes.InvalidUrl);

        site.Answers["/webmcp.json"] = _ => (200, "application/json", Manifest(site));
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{owner.WorkspaceId}/plan", new { plan = "onesite" }, await server.AdminTokenAsync())).OkAsync();
        await (await Http.PostAsync(sites, new { url = site.BaseAddress.ToString(), token = "t-1" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        var capped = await (await Http.PostAsync(sites, new { url = site.BaseAddress.ToString() }, owner.AccessToken)).ErrorAsync(ErrorCodes.FeatureLimitReached);
        Assert.Equal("sites", capped.GetProperty("details").GetProperty("feature").GetString());
    }
}
