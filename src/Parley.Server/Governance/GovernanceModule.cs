namespace Parley.Server.Governance;

/// <summary>
/// Plans and their limits (and, with the governance issue, meters, quotas and credits). Features call it; it calls
/// no feature.
/// </summary>
internal static class GovernanceModule
{
    public static WebApplicationBuilder AddGovernance(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PlanCatalog>();
        return builder;
    }
}
