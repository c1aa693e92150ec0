using Microsoft.Extensions.Options;
using Parley.Server.Governance.Credits;
using Parley.Server.Governance.Plans;
using Parley.Server.Governance.Usage;
using Parley.Server.Platform;
using Parley.Server.Platform.Jobs;

namespace Parley.Server.Governance;

/// <summary>
/// Plans and their limits, monthly meters and quotas, and the credit ledger (governance.md). Features call it; it calls
/// no feature: what it must know about workspaces comes through <see cref="IWorkspaceDirectory"/> and
/// <see cref="IWorkspaceCount"/>, which the modules owning that data register.
/// </summary>
internal static class GovernanceModule
{
    public static WebApplicationBuilder AddGovernance(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Read plans and prices once now, so a bad value stops the server at start (ConfigurationException), not in a request.
        var catalog = new PlanCatalog(builder.Configuration);
        catalog.All();
        var prices = new Prices(builder.Configuration);
        prices.Validate();
        services.AddSingleton(catalog);
        services.AddSingleton(prices);
        services.AddScoped<Quotas>();
        services.AddScoped<UsageService>();
        services.AddScoped<CreditLedger>();
        services.AddScoped<PlanService>();
        services.AddBackgroundJob<MonthlyCreditsJob>();
        return builder;
    }

    public static WebApplication MapGovernance(this WebApplication app)
    {
        GovernanceEndpoints.MapGovernance(app);
        if (app.Services.GetRequiredService<IOptions<ParleyOptions>>().Value.Testing.FaultHooks)
        {
            app.MapGovernanceTestHooks();
        }
        return app;
    }
}

/// <summary>
/// Credits each workspace its plan's <c>MonthlyCredits</c> once per month (at the first run after the month starts)
/// and writes off credits past their expiry. One node runs it at a time (<see cref="JobScheduler"/>).
/// </summary>
internal sealed class MonthlyCreditsJob(IServiceScopeFactory scopes, PlanCatalog plans) : IBackgroundJob
{
    public string Name => "monthly-credits";
    public TimeSpan Interval => TimeSpan.FromMinutes(1);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var handled = 0;
        var credited = plans.All().Where(p => p.MonthlyCredits is > 0).Select(p => p.Name).ToList();
        List<string> targets, lapsed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            targets = credited.Count == 0 ? [] : [.. await services.GetRequiredService<IWorkspaceDirectory>().OnPlansAsync(credited, cancellationToken)];
            lapsed = await services.GetRequiredService<CreditLedger>().WithLapsedCreditsAsync(cancellationToken);
        }
        // One short transaction per workspace, each in its own scope, so one workspace's failure stops no other.
        foreach (var workspaceId in lapsed)
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CreditLedger>().ExpireAsync(workspaceId, cancellationToken);
            handled++;
        }
        foreach (var workspaceId in targets)
        {
            await using var scope = scopes.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<CreditLedger>().AllocateMonthlyAsync(workspaceId, cancellationToken))
            {
                handled++;
            }
        }
        return handled;
    }
}
