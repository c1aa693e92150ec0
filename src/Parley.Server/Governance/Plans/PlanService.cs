using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Server.Data;
using Parley.Server.Governance.Credits;
using Parley.Server.Governance.Usage;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Governance.Plans;

/// <summary>The plans on offer, a workspace's plan beside what it uses, and an instance admin putting a workspace on a plan.</summary>
internal sealed class PlanService(Writes writes, PlanCatalog plans, IWorkspaceDirectory workspaces, UsageService usage, CreditLedger credits,
    TimeProvider time)
{
    public PlanList List() => new([.. plans.All().Select(p => p.ToView())]);

    public async Task<WorkspacePlanView> WorkspacePlanAsync(string workspaceId, string planName, CancellationToken ct)
    {
        var plan = plans.Get(planName);
        var period = Period.Of(time);
        var monthly = await usage.MonthlyCountsAsync(workspaceId, period, ct);
        async Task<long> Count(string name) => await usage.CountAsync(name, workspaceId, ct);
        var used = new PlanUsage(
            Agents: await Count("agents"), Rooms: await Count("rooms"), VaultEntries: await Count("vault_entries"), Sites: await Count("sites"),
            Devices: await Count("devices"), GovernedCalls: monthly.GetValueOrDefault(Meters.GovernedCalls), Runs: monthly.GetValueOrDefault(Meters.Runs),
            ModelTokens: monthly.GetValueOrDefault(Meters.ModelTokens), Messages: monthly.GetValueOrDefault(Meters.Messages),
            CreditsBalance: (await credits.BalanceAsync(workspaceId, ct)).Balance);
        return new WorkspacePlanView(workspaceId, plan.ToView(), used, period.Start, period.End);
    }

    /// <summary>
    /// Takes effect at once: what exceeds the new plan's caps stays, but nothing new is admitted. A plan with monthly
    /// credits credits this month's at once (the monthly job does it for every later month).
    /// </summary>
    public async Task<WorkspacePlanView> SetAsync(string workspaceId, SetPlanRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var name = v.Required("plan", request.Plan);
        if (name is not null && plans.Find(name) is null)
        {
            v.Add("plan", $"must be one of: {string.Join(", ", plans.All().Select(p => p.Name))}");
        }
        v.ThrowIfInvalid();
        await writes.RunAsync(async c =>
        {
            if (!await workspaces.SetPlanAsync(workspaceId, name!, c))
            {
                throw ApiErrors.NotFound(ErrorCodes.WorkspaceNotFound);
            }
            await credits.AllocateMonthlyAsync(workspaceId, c);
        }, ct);
        return await WorkspacePlanAsync(workspaceId, name!, ct);
    }
}
