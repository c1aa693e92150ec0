using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Parley.Bench;

/// <summary>
/// Governed calls (gateway.md) against one upstream on loopback, three ways in the same run: straight to the upstream
/// (the baseline), through the call API, and through the forward proxy (plain HTTP). Each governed call takes an
/// admission write (rule windows, the per-domain window, the quota) and a log line, and injects a vault value.
/// </summary>
internal sealed partial class Scenarios
{
    private sealed class AlwaysProxy(Uri proxy, ICredentials credentials) : IWebProxy
    {
        public ICredentials? Credentials { get; set; } = credentials;
        public Uri GetProxy(Uri destination) => proxy;
        public bool IsBypassed(Uri host) => false;
    }

    public async Task<IReadOnlyList<Figure>> GatewayAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var upstream = builder.Build();
        upstream.Run(context => context.Response.WriteAsync("ok"));
        await upstream.StartAsync();
        var target = new Uri(new Uri(upstream.Urls.First()), "/resource");
        var agent = await api.AgentAsync();
        await api.AsOwnerAsync($"/v1/workspaces/{api.Workspace}/vault", new
        {
            name = "bench", host_pattern = $"127.0.0.1:{target.Port}", injection = new { kind = "header", header_name = "Authorization", value_format = "Bearer {value}" },
            value = "bench-secret-value",
        });

        using var direct = new HttpClient();
        var baseline = await Load.SaturateAsync(Workers, Warmup, Duration, async (_, _) =>
        {
            using var response = await direct.GetAsync(target);
            return response.IsSuccessStatusCode;
        });
        var callApi = await Load.SaturateAsync(Workers, Warmup, Duration, async (_, _) =>
        {
            using var response = await api.PostAsync("/v1/gateway/calls", new { method = "GET", url = target.ToString() }, agent.Key);
            return response.IsSuccessStatusCode;
        });
        using var proxied = new HttpClient(new SocketsHttpHandler
        {
            Proxy = new AlwaysProxy(new Uri($"http://127.0.0.1:{BenchServer.ProxyPort}"), new NetworkCredential("agent", agent.Key)),
            UseProxy = true,
            PreAuthenticate = true,
            MaxConnectionsPerServer = Workers,
        });
        var proxy = await Load.SaturateAsync(Workers, Warmup, Duration, async (_, _) =>
        {
            using var response = await proxied.GetAsync(target);
            return response.IsSuccessStatusCode;
        });
        await upstream.StopAsync();
        return
        [
            new Figure("gateway", "direct calls/s to the upstream (baseline)", baseline.PerSecond, "req/s", Note: $"{Workers} connections, {baseline.Errors} errors"),
            new Figure("gateway", "governed calls/s through the call API", callApi.PerSecond, "req/s", callApi.PerSecond / baseline.PerSecond,
                "direct calls/s", $"{callApi.Errors} errors"),
            new Figure("gateway", "governed calls/s through the proxy (plain HTTP)", proxy.PerSecond, "req/s", proxy.PerSecond / baseline.PerSecond,
                "direct calls/s", $"{proxy.Errors} errors"),
        ];
    }
}
