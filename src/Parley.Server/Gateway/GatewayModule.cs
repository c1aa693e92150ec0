using Parley.Server.Gateway.Approvals;
using Parley.Server.Gateway.Calls;
using Parley.Server.Gateway.Log;
using Parley.Server.Gateway.Rules;
using Parley.Server.Gateway.Vault;
using Parley.Server.Platform.Jobs;

namespace Parley.Server.Gateway;

/// <summary>
/// Governed outbound calls (gateway.md): the vault, rules and settings, approvals, the call pipeline every way in
/// shares (<see cref="GovernedCalls"/>), the request log and its clean-up.
/// </summary>
internal static class GatewayModule
{
    private static async Task<IResult> CaAsync(Proxy.GatewayCa ca, CancellationToken ct) =>
        Results.Text(await ca.PemAsync(ct), "application/x-pem-file");

    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection("Gateway");
        services.Configure<GatewayOptions>(section);
        services.PostConfigure<GatewayOptions>(o =>
        {
            if (builder.Configuration["Limits:Gateway:PerDomainPerMinute"] is { } perDomain && int.TryParse(perDomain, out var value))
            {
                o.PerDomainPerMinute = value;
            }
        });
        var suffixFile = section["PublicSuffixListFile"] ?? new GatewayOptions().PublicSuffixListFile;
        services.AddSingleton(new PublicSuffixes(suffixFile));
        services.AddScoped<VaultService>();
        services.AddScoped<Governance.IWorkspaceCount, VaultEntryCount>();
        services.AddScoped<RuleService>();
        services.AddSingleton<ApprovalSignals>();
        services.AddHostedService(sp => sp.GetRequiredService<ApprovalSignals>());
        services.AddScoped<ApprovalService>();
        services.AddScoped<GatewayLog>();
        services.AddScoped<GovernedCalls>();
        services.AddScoped<IdentityPresentation>();
        services.AddScoped<Sites.SiteService>();
        services.AddScoped<Governance.IWorkspaceCount, Sites.SiteCount>();
        services.AddSingleton<Proxy.GatewayCa>();
        services.AddSingleton<Proxy.ProxyServer>();
        services.AddHostedService(sp => sp.GetRequiredService<Proxy.ProxyServer>());
        services.AddBackgroundJob<GatewayCleanupJob>();
        services.AddBackgroundJob<ApprovalExpiryJob>();
        return builder;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<PublicSuffixes>().Loaded)
        {
            app.Logger.LogWarning("No Public Suffix List at Gateway:PublicSuffixListFile (Debian: apt-get install publicsuffix): the per-domain limit counts each host apart.");
        }
        // A call's body may be 10 MiB, sent as base64 inside JSON: a third more, and the envelope.
        var maxBody = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value.MaxBodyBytes;
        app.Services.GetRequiredService<Platform.Http.BodyLimits>().Raise("/v1/gateway/calls", (maxBody / 3 * 4) + (64 * 1024));
        app.MapGatewayRoutes();
        app.MapGet("/v1/gateway/ca.pem", CaAsync).WithTags("Gateway").WithName("GatewayCa")
            .WithSummary("The deployment's gateway CA certificate (PEM): trust it to send HTTPS through the proxy.")
            .Produces<string>(StatusCodes.Status200OK, "application/x-pem-file");
        return app;
    }
}
