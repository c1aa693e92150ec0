using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;
using Parley.Server.Governance;
using Parley.Server.Identity.Agents;

namespace Parley.Server.Identity.Workspaces;

/// <summary>Identity answers governance's questions about workspaces (their plans and admins) from its own tables.</summary>
internal sealed class WorkspaceDirectory(Writes writes) : IWorkspaceDirectory
{
    private ParleyDb Db => writes.Db;

    /// <summary>Plain SQL: every metered action (each message sent) asks this.</summary>
    public Task<string?> PlanOfAsync(string workspaceId, CancellationToken ct) =>
        Sql.SingleOrDefaultAsync(Db, "SELECT w.plan FROM workspaces w WHERE w.id = @p0", r => r.Text("plan"), ct, workspaceId);

    public async Task<bool> SetPlanAsync(string workspaceId, string plan, CancellationToken ct) =>
        await Db.Workspaces.Where(w => w.Id == workspaceId).ExecuteUpdateAsync(s => s.SetProperty(w => w.Plan, plan), ct) == 1;

    public async Task<IReadOnlyList<string>> AdminEmailsAsync(string workspaceId, CancellationToken ct)
    {
        var administrators = WorkspaceQueries.AdministratorsOf(Db, workspaceId);
        return await Db.Accounts.AsNoTracking().Where(a => administrators.Contains(a.Id)).OrderBy(a => a.Email).Select(a => a.Email).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<string>> OnPlansAsync(IReadOnlyCollection<string> plans, CancellationToken ct) =>
        await Db.Workspaces.AsNoTracking().Where(w => plans.Contains(w.Plan)).OrderBy(w => w.Id).Select(w => w.Id).ToListAsync(ct);
}

/// <summary>The agents a workspace has now, as its plan's <c>max_agents</c> counts them.</summary>
internal sealed class AgentCount(Writes writes) : IWorkspaceCount
{
    public string Name => "agents";

    public async Task<long> CountAsync(string workspaceId, CancellationToken ct) => await AgentQueries.CountInWorkspaceAsync(writes.Db, workspaceId, ct);
}
