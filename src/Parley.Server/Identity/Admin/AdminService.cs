using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Channel;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Admin;

/// <summary>Instance admins set agents' account states; the agent is told, and a suspension closes its sockets.</summary>
internal sealed class AdminService(Writes writes, AgentSignals signals, TimeProvider time)
{
    private ParleyDb Db => writes.Db;

    public Task<AgentView> SetStatusAsync(string agentId, string status, AdminReasonRequest? request, CancellationToken ct)
    {
        var v = new Validator();
        var reason = status == AgentStatus.Active ? null : v.Required("reason", request?.Reason);
        v.Length("reason", request?.Reason, 0, 500);
        v.ThrowIfInvalid();
        return SetStatusAsync(agentId, status, reason, ct);
    }

    /// <summary>Also used by automatic enforcement.</summary>
    internal Task<AgentView> SetStatusAsync(string agentId, string status, string? reason, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var agent = await Db.Agents.FirstOrDefaultAsync(a => a.Id == agentId && a.Status != AgentStatus.Deleted, c)
                ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
            var previous = agent.Status;
            agent.Status = status;
            agent.StatusReason = reason;
            agent.UpdatedAt = time.NowMs();
            if (previous != status)
            {
                await signals.TellAsync(agent.Id, FrameTypes.AgentStatusChanged, new { agent_id = agent.Id, status, previous_status = previous, reason }, c);
                if (status == AgentStatus.Suspended)
                {
                    signals.RevokeAll(agent.Id);
                }
            }
            return agent.ToView();
        }, ct);

    public async Task<Page<AgentView>> ListAsync(string? status, int? limit, string? cursor, CancellationToken ct)
    {
        var v = new Validator();
        v.OneOf("status", status, AgentStatus.Active, AgentStatus.Restricted, AgentStatus.Suspended, AgentStatus.Deleted);
        v.ThrowIfInvalid();
        var paging = Paging.From(limit, cursor);
        var rows = await Db.Agents.AsNoTracking()
            .Where(a => (status == null || a.Status == status) && (paging.After == null || string.Compare(a.Id, paging.After) > 0))
            .OrderBy(a => a.Id).Take(paging.Limit + 1).ToListAsync(ct);
        var (items, next) = paging.Cut(rows, a => a.Id);
        return new Page<AgentView>([.. items.Select(a => a.ToView())], next);
    }
}
