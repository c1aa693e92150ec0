using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Gateway;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Gateway.Log;

/// <summary>
/// The request log (gateway.md): one line per call, allowed or not — method, host and path (never the query), status,
/// timing, the decision and why, the vault entries used, the sizes. Header values and bodies never reach it.
/// </summary>
internal sealed class GatewayLog(IServiceScopeFactory scopes, Ids ids, TimeProvider time, ParleyDb db)
{
    /// <summary>A line for a call that is starting; written by <see cref="WriteAsync"/> once its outcome is known.</summary>
    public GatewayLogEntry Start(string workspaceId, string agentId, string method, Uri url, string via, long bytesOut) => new()
    {
        Id = ids.New("glog"), WorkspaceId = workspaceId, AgentId = agentId, Method = method.ToUpperInvariant(), Host = url.IdnHost.ToLowerInvariant(),
        Path = url.AbsolutePath, Decision = null!, Injected = "[]", BytesOut = bytesOut, Via = via, CreatedAt = time.NowMs(),
    };

    /// <summary>Writes the line in a transaction of its own (the call's own writes may have rolled back).</summary>
    public async Task WriteAsync(GatewayLogEntry entry)
    {
        await using var scope = scopes.CreateAsyncScope();
        var writes = scope.ServiceProvider.GetRequiredService<Writes>();
        await writes.RunAsync(_ =>
        {
            writes.Db.GatewayLog.Add(entry);
            return Task.CompletedTask;
        }, CancellationToken.None);
    }

    /// <summary>A page of the workspace's log, newest first, optionally of one agent, host or decision.</summary>
    public async Task<Page<GatewayLogView>> ListAsync(Workspace workspace, string? agent, string? host, string? decision, int? limit, string? cursor,
        CancellationToken ct)
    {
        var paging = Paging.From(limit, cursor);
        var query = db.GatewayLog.AsNoTracking().Where(l => l.WorkspaceId == workspace.Id);
        if (agent is not null)
        {
            var found = await AgentQueries.ByNameAsync(db, agent, ct);
            var agentId = found?.OwnerWorkspaceId == workspace.Id ? found.Id : "";
            query = query.Where(l => l.AgentId == agentId);
        }
        if (host is not null)
        {
            var lower = host.ToLowerInvariant();
            query = query.Where(l => l.Host == lower);
        }
        if (decision is not null)
        {
            query = query.Where(l => l.Decision == decision);
        }
        if (paging.After is { } after)
        {
            query = query.Where(l => string.Compare(l.Id, after) < 0);
        }
        var rows = await query.OrderByDescending(l => l.Id).Take(paging.Limit + 1).ToListAsync(ct);
        var (items, next) = paging.Cut(rows, l => l.Id);
        var agents = await AgentQueries.ManyAsync(db, items.Select(l => l.AgentId).Distinct(), ct);
        return new Page<GatewayLogView>([.. items.Select(l => new GatewayLogView(l.Id,
            agents.TryGetValue(l.AgentId, out var a) ? a.ToActor() : new ActorRef(l.AgentId.StartsWith("acct_", StringComparison.Ordinal) ? "account" : "agent", l.AgentId), l.Method, l.Host, l.Path, l.Status, l.DurationMs,
            l.Decision, l.RuleId, l.ApprovalId, JsonSerializer.Deserialize<List<string>>(l.Injected)!, l.BytesOut, l.BytesIn, l.ErrorCode, l.Via,
            Clock.Time(l.CreatedAt)))], next);
    }
}

/// <summary>Deletes log lines past <c>Gateway:LogRetentionDays</c>, and rate-limit windows that ended.</summary>
internal sealed class GatewayCleanupJob(Writes writes, TimeProvider time, IOptions<GatewayOptions> options) : IBackgroundJob
{
    public string Name => "gateway-cleanup";
    public TimeSpan Interval => TimeSpan.FromMinutes(10);

    public Task<int> RunAsync(CancellationToken cancellationToken) =>
        writes.RunAsync(async ct =>
        {
            var now = time.NowMs();
            var before = now - (options.Value.LogRetentionDays * Clock.DayMs);
            var lines = await writes.Db.GatewayLog.Where(l => l.CreatedAt < before).ExecuteDeleteAsync(ct);
            return lines + await writes.Db.GatewayWindows.Where(w => w.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        }, cancellationToken);
}

/// <summary>Expires approvals whose waiting call is gone (its node died).</summary>
internal sealed class ApprovalExpiryJob(Approvals.ApprovalService approvals) : IBackgroundJob
{
    public string Name => "approval-expiry";
    public TimeSpan Interval => TimeSpan.FromSeconds(30);
    public Task<int> RunAsync(CancellationToken cancellationToken) => approvals.ExpireLapsedAsync(cancellationToken);
}
