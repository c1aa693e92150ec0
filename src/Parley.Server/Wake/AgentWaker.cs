using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Wake.Runs;

namespace Parley.Server.Wake;

/// <summary>Who is behind a wake: a principal key, and what tells whether it is the agent's owner.</summary>
/// <param name="Principal"><c>account:acct_…</c> or <c>agent:agt_…</c>.</param>
/// <param name="AccountId">When a person: whether they belong to the agent's workspace decides cross-owner.</param>
/// <param name="AgentWorkspaceId">When an agent: its owner's workspace.</param>
internal sealed record WakeRequester(string Principal, string? AccountId, string? AgentWorkspaceId);

/// <summary>
/// What wakes an agent (wake.md): a room mention, a task assigned to it, a direct message, each when the agent's
/// <c>wake_on</c> says so and it has at least one binding. Called by the rooms and messaging services inside the write
/// that creates the mention or message, so the run (or the decision not to make one) commits with it.
/// </summary>
internal sealed class AgentWaker(Writes writes, RunService runs)
{
    private ParleyDb Db => writes.Db;

    public async Task WakeAsync(string agentId, WakeRequester requester, RunRequest request, CancellationToken c)
    {
        if (await AgentQueries.ByIdAsync(Db, agentId, c) is { } agent)
        {
            await WakeAsync(agent, requester, request, c);
        }
    }

    /// <summary>The same, for a caller that holds the agent already (a direct send has its recipient).</summary>
    public async Task WakeAsync(Agent agent, WakeRequester requester, RunRequest request, CancellationToken c)
    {
        if (agent.OwnerWorkspaceId is not { } workspaceId || agent.Status is AgentStatus.Deleted or AgentStatus.Suspended
            || !WakeTriggers.Of(agent).Contains(request.Reason))
        {
            return;
        }
        var bindings = await Db.DeviceBindings.AsNoTracking().Where(b => b.AgentId == agent.Id).Select(b => b.ConstrainedCapable).ToListAsync(c);
        if (bindings.Count == 0)
        {
            return;
        }
        var sameOwner = requester.AccountId is { } accountId
            ? await WorkspaceQueries.IsMemberAsync(Db, accountId, workspaceId, c)
            : requester.AgentWorkspaceId == workspaceId;
        await runs.WakeAsync(agent, request with { RequestedBy = requester.Principal, CrossOwner = !sameOwner }, bindings.Any(b => b), c);
    }
}
