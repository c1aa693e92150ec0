using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Events;
using Parley.Contracts.Gateway;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Gateway.Rules;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Cluster;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.OwnerEvents;

namespace Parley.Server.Gateway.Approvals;

/// <summary>The states of an approval.</summary>
internal static class ApprovalStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Denied = "denied";
    public const string Expired = "expired";
    public const string Cancelled = "cancelled";
}

/// <summary>What a held call waits on: where its approval stands.</summary>
internal sealed record HeldCall(string WorkspaceId, string AgentId, string Method, string Url, string Host, int Port, bool DefaultPort, string Path,
    string? BodyPreview, string RuleId);

/// <summary>
/// Approvals (gateway.md): a call a <c>manual_approval</c> rule holds waits — up to <c>Gateway:ApprovalTimeoutSeconds</c>
/// on the injected clock — for an owner to approve or deny it. Every change is announced on the cluster bus (the
/// waiting call and the owners' long-polls may be on other nodes) and recorded for the owner event stream. A caller that
/// goes away cancels its approval; an approval whose waiting node died is expired by the <c>approval-expiry</c> job.
/// </summary>
internal sealed class ApprovalService(Writes writes, Ids ids, TimeProvider time, ApprovalSignals signals, OwnerEventLog events, RuleService rules,
    IOptions<GatewayOptions> options)
{
    private ParleyDb Db => writes.Db;

    /// <summary>Holds the call until it is decided: its approval id when approved; <c>APPROVAL_DENIED</c> otherwise.</summary>
    public async Task<string> HoldAsync(HeldCall call, CancellationToken ct)
    {
        var now = time.NowMs();
        var approval = new Approval
        {
            Id = ids.New("apr"), WorkspaceId = call.WorkspaceId, AgentId = call.AgentId, Method = call.Method, Url = call.Url, Host = call.Host,
            Path = call.Path, BodyPreview = call.BodyPreview, RuleId = call.RuleId, Status = ApprovalStatus.Pending, CreatedAt = now,
            ExpiresAt = now + (options.Value.ApprovalTimeoutSeconds * Clock.SecondMs),
        };
        await writes.RunAsync(_ =>
        {
            Db.Approvals.Add(approval);
            events.Record(call.WorkspaceId, OwnerEventTypes.ApprovalRequested,
                new ApprovalRequested(approval.Id, call.AgentId, call.Method, call.Host, call.Path, Clock.Time(approval.ExpiresAt)));
            writes.AfterCommit(() => signals.AnnounceAsync(call.WorkspaceId, approval.Id));
            return Task.CompletedTask;
        }, ct);
        string status;
        using (var expiry = new CancellationTokenSource())
        {
            var timer = Task.Delay(TimeSpan.FromMilliseconds(approval.ExpiresAt - now), time, expiry.Token);
            try
            {
                while (true)
                {
                    // Watch first, then read: a decision between the two still wakes the wait below.
                    var changed = signals.Watch(approval.Id);
                    status = await Db.Approvals.AsNoTracking().Where(a => a.Id == approval.Id).Select(a => a.Status).FirstAsync(ct);
                    if (status != ApprovalStatus.Pending)
                    {
                        break;
                    }
                    if (timer.IsCompleted)
                    {
                        status = await EndAsync(approval.Id, ApprovalStatus.Expired, CancellationToken.None);
                        break;
                    }
                    await Task.WhenAny(changed, timer).WaitAsync(ct);
                    signals.Forget(approval.Id, changed);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The caller went away: nobody waits for the answer any more.
                await EndAsync(approval.Id, ApprovalStatus.Cancelled, CancellationToken.None);
                throw;
            }
            finally
            {
                await expiry.CancelAsync();
            }
        }
        return status == ApprovalStatus.Approved
            ? approval.Id
            : throw new ApiException(ErrorCodes.ApprovalDenied, $"The call was not approved ({status}).",
                ApiErrors.Details(("approval_id", approval.Id), ("approval_status", status)));
    }

    /// <summary>
    /// The workspace's approvals of one status, oldest first. With <paramref name="wait"/> seconds (at most 60), a
    /// request for pending approvals that finds none (besides <paramref name="exclude"/>) waits until one appears.
    /// </summary>
    public async Task<ApprovalList> ListAsync(Workspace workspace, string? status, int? wait, IReadOnlyCollection<string> exclude, CancellationToken ct)
    {
        status ??= ApprovalStatus.Pending;
        var seconds = Math.Clamp(wait ?? 0, 0, 60);
        var appeared = signals.WatchWorkspace(workspace.Id);
        try
        {
            var found = await QueryAsync(workspace.Id, status, exclude, ct);
            if (found.Count > 0 || seconds == 0 || status != ApprovalStatus.Pending)
            {
                return new ApprovalList(found);
            }
            await Task.WhenAny(appeared, Task.Delay(TimeSpan.FromSeconds(seconds), time, ct)).WaitAsync(ct);
            return new ApprovalList(await QueryAsync(workspace.Id, status, exclude, ct));
        }
        finally
        {
            signals.ForgetWorkspace(workspace.Id, appeared);
        }
    }

    /// <summary>An owner decides: <c>CONFLICT {approval_status}</c> when it is no longer pending. <c>remember</c> on approve adds an allow rule.</summary>
    public async Task<ApprovalView> DecideAsync(Caller caller, string approvalId, ApprovalDecisionRequest request, CancellationToken ct)
    {
        var v = new Platform.Validation.Validator();
        v.Required("decision", request.Decision);
        v.OneOf("decision", request.Decision, "approve", "deny");
        v.ThrowIfInvalid();
        var approval = await Db.Approvals.AsNoTracking().FirstOrDefaultAsync(a => a.Id == approvalId, ct);
        if (approval is null || !await WorkspaceQueries.IsMemberAsync(Db, caller.Account!.Id, approval.WorkspaceId, ct))
        {
            throw ApiErrors.NotFound();
        }
        var status = request.Decision == "approve" ? ApprovalStatus.Approved : ApprovalStatus.Denied;
        var decided = await writes.RunAsync(async c =>
        {
            var row = await Db.Approvals.FirstAsync(a => a.Id == approvalId, c);
            if (row.Status != ApprovalStatus.Pending || row.ExpiresAt <= time.NowMs())
            {
                throw new ApiException(ErrorCodes.Conflict, "The approval was already decided, expired or cancelled.",
                    ApiErrors.Details(("approval_status", row.Status == ApprovalStatus.Pending ? ApprovalStatus.Expired : row.Status)));
            }
            row.Status = status;
            row.DecidedBy = caller.Account!.Id;
            row.DecidedAt = time.NowMs();
            if (status == ApprovalStatus.Approved && request.Remember == true)
            {
                var url = new Uri(row.Url);
                rules.Remember(row.WorkspaceId, row.AgentId, row.Method, row.Host, url.Port, url.IsDefaultPort, row.Path);
            }
            events.Record(row.WorkspaceId, OwnerEventTypes.ApprovalDecided, new ApprovalDecided(row.Id, status));
            writes.AfterCommit(() => signals.AnnounceAsync(row.WorkspaceId, row.Id));
            return row;
        }, ct);
        return (await ViewsAsync([decided], ct))[0];
    }

    /// <summary>Pending approvals past their time (their waiting node died) end <c>expired</c>.</summary>
    public async Task<int> ExpireLapsedAsync(CancellationToken ct)
    {
        var now = time.NowMs();
        var lapsed = await Db.Approvals.AsNoTracking().Where(a => a.Status == ApprovalStatus.Pending && a.ExpiresAt <= now).Select(a => a.Id).Take(500).ToListAsync(ct);
        foreach (var id in lapsed)
        {
            await EndAsync(id, ApprovalStatus.Expired, ct);
        }
        return lapsed.Count;
    }

    /// <summary>Ends a still-pending approval with <paramref name="status"/>; returns where it stands after.</summary>
    private Task<string> EndAsync(string approvalId, string status, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var row = await Db.Approvals.FirstAsync(a => a.Id == approvalId, c);
            if (row.Status == ApprovalStatus.Pending)
            {
                row.Status = status;
                row.DecidedAt = time.NowMs();
                events.Record(row.WorkspaceId, OwnerEventTypes.ApprovalDecided, new ApprovalDecided(row.Id, status));
                writes.AfterCommit(() => signals.AnnounceAsync(row.WorkspaceId, row.Id));
            }
            return row.Status;
        }, ct);

    private async Task<List<ApprovalView>> QueryAsync(string workspaceId, string status, IReadOnlyCollection<string> exclude, CancellationToken ct)
    {
        var now = time.NowMs();
        var query = Db.Approvals.AsNoTracking().Where(a => a.WorkspaceId == workspaceId && a.Status == status && !exclude.Contains(a.Id));
        if (status == ApprovalStatus.Pending)
        {
            query = query.Where(a => a.ExpiresAt > now);
        }
        return await ViewsAsync(await query.OrderBy(a => a.Id).Take(100).ToListAsync(ct), ct);
    }

    private async Task<List<ApprovalView>> ViewsAsync(IReadOnlyList<Approval> approvals, CancellationToken ct)
    {
        var agents = await AgentQueries.ManyAsync(Db, approvals.Select(a => a.AgentId).Distinct(), ct);
        return [.. approvals.Select(a => new ApprovalView(a.Id, agents.TryGetValue(a.AgentId, out var agent) ? agent.ToActor() : new ActorRef("agent", a.AgentId), a.Method, a.Url,
            a.Host, a.Path, a.BodyPreview, a.RuleId, a.Status, Clock.Time(a.CreatedAt), Clock.Time(a.ExpiresAt)))];
    }

    private sealed record ApprovalRequested(string ApprovalId, string AgentId, string Method, string Host, string Path, DateTimeOffset ExpiresAt);

    private sealed record ApprovalDecided(string ApprovalId, string Decision);
}

/// <summary>
/// This node's waiters on approvals: held calls (by approval id) and owners' long-polls (by workspace). Every node hears
/// every change on the cluster bus (<c>approvals</c>, payload <c>workspace|approval</c>) and wakes its waiters, which
/// then read the row: the database holds the truth.
/// </summary>
internal sealed class ApprovalSignals : IHostedService, IDisposable
{
    public const string Topic = "approvals";
    private readonly IClusterBus _bus;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _approvals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _workspaces = new(StringComparer.Ordinal);
    private IDisposable? _subscription;

    public ApprovalSignals(IClusterBus bus) => _bus = bus;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = _bus.Subscribe(Topic, payload =>
        {
            var parts = payload.Split('|');
            if (parts.Length == 2)
            {
                Fire(_workspaces, parts[0]);
                Fire(_approvals, parts[1]);
            }
            return Task.CompletedTask;
        });
        _bus.Resynchronize += ResynchronizeAsync;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _bus.Resynchronize -= ResynchronizeAsync;
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _subscription?.Dispose();

    public Task AnnounceAsync(string workspaceId, string approvalId) => _bus.PublishAsync(Topic, workspaceId + "|" + approvalId, CancellationToken.None);

    public Task Watch(string approvalId) => _approvals.GetOrAdd(approvalId, _ => New()).Task;

    public void Forget(string approvalId, Task watched) => Remove(_approvals, approvalId, watched);

    /// <summary>Completes at the next change of any approval of the workspace.</summary>
    public Task WatchWorkspace(string workspaceId) => _workspaces.GetOrAdd(workspaceId, _ => New()).Task;

    public void ForgetWorkspace(string workspaceId, Task watched) => Remove(_workspaces, workspaceId, watched);

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void Fire(ConcurrentDictionary<string, TaskCompletionSource> waiters, string key)
    {
        if (waiters.TryRemove(key, out var source))
        {
            source.TrySetResult();
        }
    }

    private static void Remove(ConcurrentDictionary<string, TaskCompletionSource> waiters, string key, Task watched)
    {
        if (waiters.TryGetValue(key, out var source) && source.Task == watched && watched.IsCompleted)
        {
            waiters.TryRemove(new KeyValuePair<string, TaskCompletionSource>(key, source));
        }
    }

    /// <summary>Changes may have been missed while the bus was down: every waiter looks again.</summary>
    private Task ResynchronizeAsync()
    {
        foreach (var key in _approvals.Keys)
        {
            Fire(_approvals, key);
        }
        foreach (var key in _workspaces.Keys)
        {
            Fire(_workspaces, key);
        }
        return Task.CompletedTask;
    }
}
