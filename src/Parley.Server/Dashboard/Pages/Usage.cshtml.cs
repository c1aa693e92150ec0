using Parley.Contracts.Governance;

namespace Parley.Server.Dashboard.Pages;

/// <summary>Usage against the plan, each meter's last 30 days as a chart, and the credit ledger.</summary>
public sealed class UsageModel : DashboardPage
{
    public WorkspacePlanView Plan { get; private set; } = null!;
    public UsageView Usage { get; private set; } = null!;
    public CreditBalance Credits { get; private set; } = null!;
    public IReadOnlyList<CreditEntry> Ledger { get; private set; } = [];
    public IReadOnlyList<(string Meter, IReadOnlyList<(string Date, long Count)> Days)> Daily { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Plan = await Api.GetWorkspacePlanAsync(WorkspaceId, ct);
        Usage = await Api.GetUsageAsync(WorkspaceId, ct);
        Credits = await Api.GetCreditsAsync(WorkspaceId, ct);
        Ledger = (await Api.ListCreditLedgerAsync(WorkspaceId, 50, cancellationToken: ct)).Data;
        var daily = new List<(string, IReadOnlyList<(string, long)>)>();
        foreach (var meter in Usage.Meters.Where(m => m.Meter != "storage_bytes"))
        {
            var days = await Api.GetDailyUsageAsync(WorkspaceId, meter.Meter, 30, ct);
            daily.Add((meter.Meter, [.. days.Data.Select(d => (d.Date, d.Count))]));
        }
        Daily = daily;
    }
}
