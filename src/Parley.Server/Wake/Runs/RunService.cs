using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Contracts.Identity;
using Parley.Contracts.Wake;
using Parley.Server.Data;
using Parley.Server.Governance.Credits;
using Parley.Server.Governance.Usage;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Devices;
using Parley.Server.Identity.Owners;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;
using Parley.Server.Rooms;
using Parley.Server.Rooms.Board;

namespace Parley.Server.Wake.Runs;

/// <summary>
/// Runs: starting one (exactly one active per agent, metered on <c>runs</c>, its minutes' credits reserved), reading,
/// dispatching it to a device (<see cref="RunDispatch"/>), cancelling, the run clocks, and ending (credits settled at the
/// minutes it ran; the run's passport stops working). The device's side is <see cref="DeviceRunService"/>.
/// </summary>
/// <summary>Why a run starts and what it is about. A cross-owner run always runs constrained.</summary>
internal sealed record RunRequest(string Reason, string RequestedBy)
{
    public string? Input { get; init; }
    public string? RoomId { get; init; }
    public string? MentionId { get; init; }
    public string? TaskId { get; init; }
    public string? MessageId { get; init; }
    public string? ScheduleId { get; init; }
    public string? HookId { get; init; }

    /// <summary>The wake prompt, when the cause composes its own (a trigger's template).</summary>
    public string? Prompt { get; init; }

    public bool CrossOwner { get; init; }
}

internal sealed class RunService(Writes writes, Ids ids, TimeProvider time, Quotas quotas, CreditLedger credits, Prices prices, RunDispatch dispatch,
    DeviceSignals signals, RunStates states, IOptions<WakeOptions> options)
{
    public const int MaxInputBytes = 64 * 1024;
    private ParleyDb Db => writes.Db;
    private WakeOptions Options => options.Value;

    /// <summary>
    /// A run started by hand (reason <c>manual</c>): by an owner of the agent's workspace, or by an agent that shares a
    /// room with it. Another owner's agent needs the <c>invoke</c> scope, a room where its owner consents (it owns the
    /// room or granted in it: else <c>NO_GRANT</c>), and a binding that can run it constrained (else
    /// <c>CONSTRAINED_RUNTIME_REQUIRED</c>); such a run is cross-owner and constrained.
    /// </summary>
    public async Task<RunView> StartManualAsync(Caller caller, string agentName, StartRunRequest? request, CancellationToken ct)
    {
        var agent = caller.Kind == CallerKind.Agent ? await InvokableAgentAsync(caller, agentName, ct) : await VisibleAgentAsync(caller, agentName, ct);
        var crossOwner = caller.Kind == CallerKind.Agent && caller.Agent!.OwnerWorkspaceId != agent.OwnerWorkspaceId;
        if (crossOwner && !await Db.DeviceBindings.AnyAsync(b => b.AgentId == agent.Id && b.ConstrainedCapable, ct))
        {
            throw new ApiException(ErrorCodes.ConstrainedRuntimeRequired, "No device of the agent's owner can run it constrained, as a cross-owner run must.");
        }
        var input = request?.Input is { ValueKind: not JsonValueKind.Undefined } given ? given.GetRawText() : null;
        if (input is not null && Encoding.UTF8.GetByteCount(input) > MaxInputBytes)
        {
            throw ApiErrors.TooLarge(MaxInputBytes, $"A run's input is at most {MaxInputBytes} bytes.");
        }
        var run = await writes.RunAsync(c => StartAsync(agent, new RunRequest(RunReasons.Manual, caller.PartitionKey) { Input = input, CrossOwner = crossOwner }, c), ct);
        return (await ViewsAsync([run], ct))[0];
    }

    /// <summary>
    /// Inside the write that wakes the agent (a mention, an assignment, a message): no second run while one is active
    /// (the agent learns of it through its inbox); otherwise a run, or a <c>skipped</c> one saying why it could not
    /// start (paused, a cross-owner wake with no constrained-capable binding, the quota or the credits spent) — the
    /// write that woke it never fails because of the run.
    /// </summary>
    public async Task WakeAsync(Agent agent, RunRequest request, bool constrainedCapable, CancellationToken c)
    {
        await writes.LockAsync(c, LockKeys.AgentRuns(agent.Id));
        if (await ActiveRunIdAsync(agent.Id, c) is not null)
        {
            return;
        }
        if (request.CrossOwner && !constrainedCapable)
        {
            states.Add(Db, Skipped(NewRun(agent, request), "constrained_runtime_required"));
            return;
        }
        await StartOrSkipAsync(agent, request, c);
    }

    /// <summary>
    /// Inside a write (a wake, a schedule's occurrence): a run, or a <c>skipped</c> one when the agent is already running
    /// (<c>already_running</c>) or the quota or credits are spent — the write that caused it never fails because of it.
    /// </summary>
    public async Task StartOrSkipAsync(Agent agent, RunRequest request, CancellationToken c)
    {
        try
        {
            await StartAsync(agent, request, c);
        }
        catch (ApiException e) when (e.Code is ErrorCodes.AgentAlreadyRunning or ErrorCodes.QuotaExceeded or ErrorCodes.NoCredits)
        {
            states.Add(Db, Skipped(NewRun(agent, request), e.Code switch
            {
                ErrorCodes.AgentAlreadyRunning => "already_running",
                ErrorCodes.QuotaExceeded => "quota_exceeded",
                _ => "no_credits",
            }));
        }
    }

    /// <summary>
    /// Inside a write: the agent's one active run, or <c>AGENT_ALREADY_RUNNING {run_id}</c>. A paused agent's run is
    /// recorded <c>skipped</c>; otherwise the run is metered (<c>QUOTA_EXCEEDED</c>) and its most minutes' credits
    /// reserved (<c>NO_CREDITS</c>) before it is stored <c>queued</c> and handed to a device if one is online.
    /// </summary>
    public async Task<Run> StartAsync(Agent agent, RunRequest request, CancellationToken c)
    {
        await writes.LockAsync(c, LockKeys.AgentRuns(agent.Id));
        if (await ActiveRunIdAsync(agent.Id, c) is { } active)
        {
            throw new ApiException(ErrorCodes.AgentAlreadyRunning, "The agent already has an active run.", ApiErrors.Details(("run_id", active)));
        }
        var run = NewRun(agent, request);
        if (agent.Paused == PauseMode.Full)
        {
            states.Add(Db, Skipped(run, "agent_paused"));
            return run;
        }
        await quotas.AdmitAsync(run.WorkspaceId, Meters.Runs, 1, c);
        var maxMinutes = (Options.MaxRunSeconds + 59) / 60;
        run.CreditReservation = (await credits.ReserveAsync(run.WorkspaceId, prices.MicrosOf(Prices.RunMinute) * maxMinutes, run.Id, c))?.LedgerId;
        states.Add(Db, run);
        await dispatch.DispatchAsync(run, c);
        return run;
    }

    private Run NewRun(Agent agent, RunRequest request) => new()
    {
        Id = ids.New("run"), AgentId = agent.Id, WorkspaceId = agent.OwnerWorkspaceId!, Reason = request.Reason, Status = RunStatus.Queued,
        Input = request.Input, RequestedBy = request.RequestedBy, RoomId = request.RoomId, MentionId = request.MentionId, TaskId = request.TaskId,
        MessageId = request.MessageId, ScheduleId = request.ScheduleId, HookId = request.HookId, Prompt = request.Prompt, CrossOwner = request.CrossOwner, Constrained = request.CrossOwner,
        CreatedAt = time.NowMs(),
    };

    private static Run Skipped(Run run, string reason)
    {
        run.Status = RunStatus.Skipped;
        run.FailureReason = reason;
        run.EndedAt = run.CreatedAt;
        return run;
    }

    public async Task<RunView> GetAsync(Caller caller, string runId, CancellationToken ct) =>
        (await ViewsAsync([await VisibleRunAsync(caller, runId, ct)], ct))[0];

    /// <summary>A workspace's runs, newest first, filtered by agent, status and reason.</summary>
    public async Task<Page<RunView>> ListAsync(Workspace workspace, string? agent, string? status, string? reason, int? limit, string? cursor,
        CancellationToken ct)
    {
        var v = new Validator();
        v.OneOf("status", status, [.. RunStatus.All]);
        v.OneOf("reason", reason, [.. RunReasons.All]);
        v.ThrowIfInvalid();
        string? agentId = null;
        if (agent is not null)
        {
            var found = await AgentQueries.ByNameAsync(Db, agent, ct);
            agentId = found?.OwnerWorkspaceId == workspace.Id ? found.Id : throw new ApiException(ErrorCodes.AgentNotFound, "No such agent in the workspace.");
        }
        var paging = Paging.From(limit, cursor);
        var rows = await Db.Runs.AsNoTracking()
            .Where(r => r.WorkspaceId == workspace.Id && (agentId == null || r.AgentId == agentId) && (status == null || r.Status == status)
                && (reason == null || r.Reason == reason) && (paging.After == null || string.Compare(r.Id, paging.After) < 0))
            .OrderByDescending(r => r.Id).Take(paging.Limit + 1).ToListAsync(ct);
        var (items, next) = paging.Cut(rows, r => r.Id);
        return new Page<RunView>(await ViewsAsync(items, ct), next);
    }

    /// <summary>
    /// A queued run ends <c>cancelled</c> at once; a dispatched or running one becomes <c>cancelling</c> until its
    /// device reports; a finished one answers <c>RUN_NOT_CANCELLABLE {run_status}</c>.
    /// </summary>
    public async Task<RunView> CancelAsync(Caller caller, string runId, CancellationToken ct)
    {
        var visible = await VisibleRunAsync(caller, runId, ct);
        var run = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.AgentRuns(visible.AgentId));
            var run = await Db.Runs.FirstAsync(r => r.Id == runId, c);
            switch (run.Status)
            {
                case RunStatus.Queued:
                    await EndAsync(run, RunStatus.Cancelled, "cancelled_by_owner", c);
                    break;
                case RunStatus.Dispatched or RunStatus.Running:
                    states.Set(run, RunStatus.Cancelling);
                    signals.Pending(run.DeviceId!);
                    break;
                case RunStatus.Cancelling:
                    break;
                default:
                    throw new ApiException(ErrorCodes.RunNotCancellable, "The run already finished.", ApiErrors.Details(("run_status", run.Status)));
            }
            return run;
        }, ct);
        return (await ViewsAsync([run], ct))[0];
    }

    /// <summary>Ends a run (inside a write): its status and reason, and its reserved credits settled at the minutes it ran.</summary>
    public async Task EndAsync(Run run, string status, string? failureReason, CancellationToken c)
    {
        var now = time.NowMs();
        states.Set(run, status);
        run.FailureReason = failureReason;
        run.EndedAt = now;
        if (run.CreditReservation is { } reservation)
        {
            var minutes = run.StartedAt is { } started ? (now - started + Clock.MinuteMs - 1) / Clock.MinuteMs : 0;
            await credits.SettleAsync(reservation, prices.MicrosOf(Prices.RunMinute) * minutes, c);
        }
    }

    /// <summary>
    /// The runs' clocks: a run no device accepted within <c>Wake:QueueSeconds</c> ends <c>expired</c> (<c>no_device</c>);
    /// one without a heartbeat for <c>Wake:HeartbeatTimeoutSeconds</c>, or past <c>Wake:MaxRunSeconds</c> plus that grace
    /// for the listener's own report, ends <c>timed_out</c> (<c>timeout</c>).
    /// </summary>
    public async Task<int> ApplyClocksAsync(CancellationToken ct)
    {
        var now = time.NowMs();
        var queuedBefore = now - (Options.QueueSeconds * Clock.SecondMs);
        var silentBefore = now - (Options.HeartbeatTimeoutSeconds * Clock.SecondMs);
        var startedBefore = silentBefore - (Options.MaxRunSeconds * Clock.SecondMs);
        bool Expired(Run r) => r.Status is RunStatus.Queued or RunStatus.Dispatched && r.CreatedAt <= queuedBefore;
        bool Lapsed(Run r) => r.Status is RunStatus.Running or RunStatus.Cancelling && (r.HeartbeatAt <= silentBefore || r.StartedAt <= startedBefore);
        var due = await Db.Runs.AsNoTracking()
            .Where(r => ((r.Status == RunStatus.Queued || r.Status == RunStatus.Dispatched) && r.CreatedAt <= queuedBefore)
                || ((r.Status == RunStatus.Running || r.Status == RunStatus.Cancelling) && (r.HeartbeatAt <= silentBefore || r.StartedAt <= startedBefore)))
            .OrderBy(r => r.CreatedAt).Select(r => new { r.Id, r.AgentId }).Take(500).ToListAsync(ct);
        var ended = 0;
        foreach (var item in due)
        {
            ended += await writes.RunAsync(async c =>
            {
                await writes.LockAsync(c, LockKeys.AgentRuns(item.AgentId));
                var run = await Db.Runs.FirstAsync(r => r.Id == item.Id, c);
                if (Expired(run))
                {
                    await EndAsync(run, RunStatus.Expired, "no_device", c);
                    return 1;
                }
                if (Lapsed(run))
                {
                    await EndAsync(run, RunStatus.TimedOut, "timeout", c);
                    return 1;
                }
                return 0;
            }, ct);
        }
        return ended;
    }

    private Task<string?> ActiveRunIdAsync(string agentId, CancellationToken c) =>
        Db.Runs.Where(r => r.AgentId == agentId && RunStatus.Active.Contains(r.Status)).Select(r => r.Id).FirstOrDefaultAsync(c);

    /// <summary>An agent of a workspace the owner belongs to; any other is <c>AGENT_NOT_FOUND</c>, like one that does not exist.</summary>
    private async Task<Agent> VisibleAgentAsync(Caller caller, string name, CancellationToken ct)
    {
        var agent = await AgentQueries.ByNameAsync(Db, name, ct);
        return agent is { Status: not AgentStatus.Deleted } && await WorkspaceQueries.IsMemberAsync(Db, caller.Account!.Id, agent.OwnerWorkspaceId, ct)
            ? agent
            : throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
    }

    /// <summary>An agent the calling agent shares a room with; another owner's one also needs <c>invoke</c> and that owner's consent there.</summary>
    private async Task<Agent> InvokableAgentAsync(Caller caller, string name, CancellationToken ct)
    {
        var agent = await AgentQueries.ByNameAsync(Db, name, ct);
        var shared = agent is { Status: not AgentStatus.Deleted, OwnerWorkspaceId: { } owner } && agent.Id != caller.Agent!.Id
            ? await RoomQueries.SharedRoomsAsync(Db, caller.Agent.Id, agent.Id, owner, ct)
            : [];
        if (shared.Count == 0)
        {
            throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
        }
        var workspaceId = agent!.OwnerWorkspaceId!;
        if (workspaceId == caller.Agent!.OwnerWorkspaceId)
        {
            return agent;
        }
        if (!caller.HasScope(Scopes.Invoke))
        {
            throw new ApiException(ErrorCodes.ForbiddenScope, "Starting another owner's agent needs the 'invoke' scope.",
                ApiErrors.Details(("required_scope", Scopes.Invoke)));
        }
        return shared.Any(r => r.Consents) ? agent : throw CrossOwnerRules.NoGrant(workspaceId, shared[0].RoomId);
    }

    private async Task<Run> VisibleRunAsync(Caller caller, string runId, CancellationToken ct)
    {
        var run = await Db.Runs.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, ct);
        return run is not null && await WorkspaceQueries.IsMemberAsync(Db, caller.Account!.Id, run.WorkspaceId, ct)
            ? run
            : throw ApiErrors.NotFound();
    }

    /// <summary>Runs as the wire shows them.</summary>
    public async Task<List<RunView>> ViewsAsync(IReadOnlyList<Run> runs, CancellationToken ct)
    {
        var accounts = await AccountQueries.NamesAsync(Db, runs.Select(r => r.RequestedBy).Where(p => p.StartsWith("account:", StringComparison.Ordinal))
            .Select(p => p["account:".Length..]), ct);
        return [.. runs.Select(r => new RunView(r.Id, r.AgentId, r.WorkspaceId, r.Reason, r.Status, r.FailureReason, r.ExitCode, r.Summary, r.OutputTail,
            r.RoomId, r.TaskId, r.MentionId, r.MessageId, r.HookId, r.ScheduleId,
            r.Input is null ? null : JsonDocument.Parse(r.Input).RootElement.Clone(), r.CrossOwner, r.Constrained, r.DeviceId,
            Requester(r.RequestedBy, accounts), Clock.Time(r.CreatedAt), Clock.Time(r.DispatchedAt), Clock.Time(r.StartedAt), Clock.Time(r.EndedAt)))];
    }

    private static ActorRef Requester(string principal, Dictionary<string, string> accounts)
    {
        var split = principal.IndexOf(':', StringComparison.Ordinal);
        var (kind, id) = (principal[..split], principal[(split + 1)..]);
        return new ActorRef(kind, id, DisplayName: accounts.GetValueOrDefault(id));
    }
}
