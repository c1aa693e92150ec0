using Parley.Contracts.Governance;
using Parley.Contracts.Identity;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>Every plan with its limits (<c>null</c> = unlimited) and features. Owners only.</summary>
    public Task<PlanList> ListPlansAsync(CancellationToken cancellationToken = default) =>
        SendAsync<PlanList>(HttpMethod.Get, "v1/plans", null, cancellationToken);

    /// <summary>A workspace's plan, its limits and what it uses, side by side.</summary>
    public Task<WorkspacePlanView> GetWorkspacePlanAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<WorkspacePlanView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/plan", null, cancellationToken);

    /// <summary>This month's meters with their quotas (for usage bars), and the storage gauge.</summary>
    public Task<UsageView> GetUsageAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<UsageView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/usage", null, cancellationToken);

    /// <summary>One meter (<see cref="Meters"/>) per day for the last <paramref name="days"/> days, oldest first (for charts).</summary>
    public Task<DailyUsage> GetDailyUsageAsync(string workspaceId, string meter, int days = 30, CancellationToken cancellationToken = default) =>
        SendAsync<DailyUsage>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/usage/daily" + Query(("meter", meter), ("days", days)),
            null, cancellationToken);

    /// <summary>The credit balance, by source and expiry.</summary>
    public Task<CreditBalance> GetCreditsAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<CreditBalance>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/credits", null, cancellationToken);

    /// <summary>One page of the credit ledger, newest first.</summary>
    public Task<Page<CreditEntry>> ListCreditLedgerAsync(string workspaceId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<CreditEntry>>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/credits/ledger" + Query(("limit", limit), ("cursor", cursor)),
            null, cancellationToken);

    /// <summary>Puts a workspace on a plan (instance admins).</summary>
    public Task<WorkspacePlanView> SetWorkspacePlanAsync(string workspaceId, string plan, CancellationToken cancellationToken = default) =>
        SendAsync<WorkspacePlanView>(HttpMethod.Put, $"v1/admin/workspaces/{Escape(workspaceId)}/plan", new SetPlanRequest(plan), cancellationToken);

    /// <summary>Grants credits (positive <paramref name="amount"/>) or adjusts the balance down (negative), instance admins.</summary>
    public Task<CreditEntry> GrantCreditsAsync(string workspaceId, decimal amount, string reason, DateTimeOffset? expiresAt = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<CreditEntry>(HttpMethod.Post, $"v1/admin/workspaces/{Escape(workspaceId)}/credits",
            new CreditGrantRequest(amount, reason, expiresAt), cancellationToken);
}
