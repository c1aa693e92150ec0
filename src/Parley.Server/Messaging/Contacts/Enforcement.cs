using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Data;
using Parley.Server.Identity.Admin;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform;

namespace Parley.Server.Messaging.Contacts;

/// <summary>
/// Automatic enforcement, counting only blocks and reports from agents this agent messaged first (it started the
/// direct conversation): 15 blocks in 24 h restrict it, and the restriction lifts by itself once the 24 h count falls
/// under 15; 50 blocks in 7 days or 10 reports in 7 days suspend it (only an admin lifts that). The agent is told
/// (<c>agent.status_changed</c>) and a suspension closes its sockets, through the same path as an admin's action.
/// </summary>
internal sealed class Enforcement(Writes writes, AdminService admin, TimeProvider time, IOptions<MessagingOptions> options)
{
    private ParleyDb Db => writes.Db;
    private EnforcementLimits Limits => options.Value.Limits.Enforcement;

    private sealed record Counts(int Blocks24h, int Blocks7d, int Reports7d);

    /// <summary>Counts blocks and reports from agents the target contacted first (blockers it initiated a conversation with).</summary>
    private async Task<Counts> CountAsync(string agentId, CancellationToken c)
    {
        var now = time.NowMs();
        var dayAgo = now - Clock.DayMs;
        var weekAgo = now - (7 * Clock.DayMs);
        var contacted = Db.Conversations.Where(x => x.Kind == ConversationKind.Direct && x.InitiatorId == agentId)
            .Select(x => x.AgentA == agentId ? x.AgentB : x.AgentA);
        var blocks = await Db.Blocks.AsNoTracking().Where(b => b.BlockedId == agentId && b.CreatedAt > weekAgo && contacted.Contains(b.BlockerId))
            .Select(b => b.CreatedAt).ToListAsync(c);
        var reports = await Db.Reports.AsNoTracking().CountAsync(r => r.ReportedId == agentId && r.CreatedAt > weekAgo && contacted.Contains(r.ReporterId), c);
        return new Counts(blocks.Count(at => at > dayAgo), blocks.Count, reports);
    }

    /// <summary>Re-evaluates one agent after a block or report against it (inside that write's transaction).</summary>
    public async Task EvaluateAsync(string agentId, CancellationToken c)
    {
        var agent = await AgentQueries.ByIdAsync(Db, agentId, c);
        if (agent is null || agent.Status is AgentStatus.Deleted or AgentStatus.Suspended)
        {
            return;
        }
        var counts = await CountAsync(agentId, c);
        if (counts.Blocks7d >= Limits.SuspendBlocksPer7Days || counts.Reports7d >= Limits.SuspendReportsPer7Days)
        {
            await admin.SetStatusAsync(agentId, AgentStatus.Suspended,
                $"automatic: {counts.Blocks7d} blocks and {counts.Reports7d} reports in 7 days", c);
            await MarkAsync(agentId, autoRestricted: false, c);
            return;
        }
        if (agent.Status == AgentStatus.Active && counts.Blocks24h >= Limits.RestrictBlocksPer24Hours)
        {
            await admin.SetStatusAsync(agentId, AgentStatus.Restricted, $"automatic: {counts.Blocks24h} blocks in 24 hours", c);
            await MarkAsync(agentId, autoRestricted: true, c);
        }
    }

    /// <summary>Lifts automatic restrictions whose 24 h count fell under the threshold (a background job).</summary>
    public async Task<int> LiftExpiredAsync(CancellationToken ct)
    {
        var candidates = await Db.EnforcementStates.AsNoTracking().Where(e => e.AutoRestricted).Select(e => e.AgentId).ToListAsync(ct);
        var lifted = 0;
        foreach (var agentId in candidates)
        {
            await writes.RunAsync(async c =>
            {
                await writes.LockAsync(c, LockKeys.Enforcement(agentId));
                var agent = await AgentQueries.ByIdAsync(Db, agentId, c);
                if (agent?.Status != AgentStatus.Restricted)
                {
                    await MarkAsync(agentId, autoRestricted: false, c);
                    return;
                }
                if ((await CountAsync(agentId, c)).Blocks24h < Limits.RestrictBlocksPer24Hours)
                {
                    await admin.SetStatusAsync(agentId, AgentStatus.Active, "automatic restriction lifted", c);
                    await MarkAsync(agentId, autoRestricted: false, c);
                    lifted++;
                }
            }, ct);
        }
        return lifted;
    }

    private async Task MarkAsync(string agentId, bool autoRestricted, CancellationToken c)
    {
        var now = time.NowMs();
        await Sql.ExecuteAsync(Db, """
            INSERT INTO enforcement_states (agent_id, auto_restricted, updated_at) VALUES (@p0, @p1, @p2)
            ON CONFLICT (agent_id) DO UPDATE SET auto_restricted = @p1, updated_at = @p2
            """, c, agentId, autoRestricted, now);
    }
}

internal sealed class EnforcementLimits
{
    public int RestrictBlocksPer24Hours { get; set; } = 15;
    public int SuspendBlocksPer7Days { get; set; } = 50;
    public int SuspendReportsPer7Days { get; set; } = 10;
}

internal sealed class EnforcementLiftJob(Enforcement enforcement) : IBackgroundJob
{
    public string Name => "enforcement-lift";
    public TimeSpan Interval => TimeSpan.FromMinutes(1);
    public Task<int> RunAsync(CancellationToken cancellationToken) => enforcement.LiftExpiredAsync(cancellationToken);
}
