using Parley.Contracts.Gateway;
using Parley.Contracts.Governance;
using Parley.Contracts.Identity;
using Parley.Contracts.Wake;

namespace Parley.Server.Dashboard.Pages;

/// <summary>The overview: usage against the plan, credits, runs in flight, calls waiting for approval, devices.</summary>
public sealed class IndexModel : DashboardPage
{
    private static readonly HashSet<string> InFlight = ["queued", "dispatched", "running", "cancelling"];

    public UsageView Usage { get; private set; } = null!;
    public CreditBalance Credits { get; private set; } = null!;
    public IReadOnlyList<RunView> Running { get; private set; } = [];
    public IReadOnlyList<ApprovalView> Approvals { get; private set; } = [];
    public IReadOnlyList<DeviceView> Devices { get; private set; } = [];
    public IReadOnlyList<AgentView> Agents { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        var usage = Api.GetUsageAsync(WorkspaceId, ct);
        var credits = Api.GetCreditsAsync(WorkspaceId, ct);
        var runs = Api.ListRunsAsync(WorkspaceId, limit: 100, cancellationToken: ct);
        var approvals = Api.ListApprovalsAsync(WorkspaceId, "pending", cancellationToken: ct);
        var devices = Api.ListDevicesAsync(WorkspaceId, ct);
        var agents = Api.ListAgentsAsync(WorkspaceId, 100, cancellationToken: ct);
        Usage = await usage;
        Credits = await credits;
        Running = [.. (await runs).Data.Where(r => InFlight.Contains(r.Status))];
        Approvals = (await approvals).Data;
        Devices = (await devices).Data;
        Agents = (await agents).Data;
    }

    public string AgentName(string agentId) => Agents.FirstOrDefault(a => a.Id == agentId) is { } agent ? "@" + agent.Handle : agentId;
}
