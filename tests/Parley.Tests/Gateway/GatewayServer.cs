using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Gateway;

/// <summary>
/// A server whose gateway may call loopback (the upstreams are here), trusts the test CA for HTTPS upstreams, and has
/// small plans for the caps. It starts one plain and one HTTPS upstream.
/// </summary>
public class GatewayServer : TestServer, IAsyncLifetime
{
    public TestCertificateAuthority Ca { get; } = new();
    public Upstream Plain { get; private set; } = null!;
    public Upstream Secure { get; private set; } = null!;

    /// <summary>The gateway proxy's address (its port chosen at start).</summary>
    public Uri Proxy => Services.GetRequiredService<Parley.Server.Gateway.Proxy.ProxyServer>().Addresses[0];

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Network:AllowPrivateAddresses"] = "true";
        settings["Gateway:UpstreamTrustedCaFile"] = Ca.PemFile;
        settings["Gateway:ApprovalTimeoutSeconds"] = "60";
        settings["Gateway:ProxyUrls"] = "http://127.0.0.1:0";
        settings["Limits:Gateway:PerDomainPerMinute"] = "100000";
        settings["Plans:onesecret:MaxVaultEntries"] = "1";
        settings["Plans:threecalls:MonthlyGovernedCalls"] = "3";
        settings["Plans:onesite:MaxSites"] = "1";
    }

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Plain = await Upstream.StartAsync();
        Secure = await Upstream.StartAsync(Ca.IssueServer());
    }

    public new async Task DisposeAsync()
    {
        await Plain.DisposeAsync();
        await Secure.DisposeAsync();
        await base.DisposeAsync();
        Ca.Dispose();
    }
}

/// <summary>What gateway tests do over and over, through HTTP.</summary>
public static class GatewayCalls
{
    public static async Task<JsonElement> AddSecretAsync(this TestServer server, Owner owner, string host, object injection, string value,
        string? path = null, string[]? agents = null, string? name = null) =>
        await (await server.Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/vault",
            new { name = name ?? "secret", host_pattern = host, path_pattern = path, injection, value, agent_ids = agents }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);

    public static async Task<JsonElement> AddRuleAsync(this TestServer server, Owner owner, object rule) =>
        await (await server.Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/rules", rule, owner.AccessToken)).OkAsync(HttpStatusCode.Created);

    /// <summary>Moves the server's clock to the start of the next minute, so a minute window starts fresh.</summary>
    public static Task AlignMinuteAsync(this TestServer server)
    {
        var ms = server.Clock.GetUtcNow().ToUnixTimeMilliseconds() % 60_000;
        server.Clock.Advance(TimeSpan.FromMilliseconds(60_000 - ms));
        return Task.CompletedTask;
    }

    public static Task<HttpResponseMessage> CallAsync(this TestServer server, TestAgent agent, string method, Uri url, object? headers = null,
        string? body = null, int? timeoutMs = null) =>
        server.Http.PostAsync("/v1/gateway/calls", new { method, url = url.ToString(), headers, body, timeout_ms = timeoutMs }, agent.ApiKey);
}
