using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Json;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;
using Parley.Server.Platform;
using Parley.Server.Rooms.Files;

namespace Parley.Server.Rooms.Board;

/// <summary>
/// What a token-bearing lease operation ended with: its value, or a rejection (<c>CLAIM_STALE</c>) to answer only
/// after the operation's writes commit — the task's log keeps the <c>stale_rejected</c> entry, and a lapse found on
/// the way stays applied.
/// </summary>
internal sealed record LeaseOutcome<T>(T? Value, ApiException? Rejection) where T : class
{
    public static LeaseOutcome<T> Ok(T value) => new(value, null);

    public static LeaseOutcome<T> Rejected(ApiException rejection) => new(null, rejection);
}

/// <summary>
/// Claims, renewals, releases and status changes. Each runs in one write transaction holding the room's lock, first
/// applying any lapse that is due, so exactly one of any number of concurrent claims wins, on SQLite and PostgreSQL.
/// </summary>
internal sealed class TaskLeaseService(
    Writes writes, TimeProvider time, RoomAccess access, Leases leases, TaskLog log, RoomNotifier notifier, IOptions<RoomsOptions> options)
{
    private static readonly string[] SettableStatuses = [TaskState.Done, TaskState.Failed, TaskState.Blocked, TaskState.Cancelled, TaskState.Todo];
    private ParleyDb Db => writes.Db;
    private RoomLimits Limits => options.Value.Limits;

    public async Task<TaskClaimed> ClaimAsync(Caller caller, string taskId, ClaimTaskRequest request, CancellationToken ct)
    {
        var (scope, _) = await access.OpenTaskAsync(caller, taskId, ct);
        scope.EnsureAgent();
        scope.EnsureAgentCanWrite();
        var v = new Validator();
        var instance = request.InstanceId ?? "default";
        v.Length("instance_id", instance, 1, 128);
        var ttl = request.TtlSeconds ?? Limits.RoomLeaseDefaultTtlSeconds;
        v.Range("ttl_seconds", ttl, Limits.RoomLeaseMinTtlSeconds, Limits.RoomLeaseMaxTtlSeconds);
        v.ThrowIfInvalid();
        var token = Leases.NewToken();
        var task = await writes.RunAsync(async c =>
        {
            var (task, members) = await LockedTaskAsync(scope, taskId, c);
            if (TaskState.IsFinal(task.Status) || task.Status == TaskState.Blocked)
            {
                throw ApiErrors.Conflict($"The task is {task.Status}; only a todo task can be claimed.");
            }
            if (task.AssigneeId is not null && task.AssigneeId != caller.Id)
            {
                throw ApiErrors.Forbidden("not_the_assignee", "The task is assigned to another agent; only its assignee can claim it.");
            }
            if (task.Consent == TaskConsent.Pending)
            {
                var owner = await AgentQueries.OwnerWorkspaceAsync(Db, task.AssigneeId, c);
                throw CrossOwnerRules.NoGrant(owner, task.RoomId);
            }
            if (task.HolderId is not null && (task.HolderId != caller.Id || task.HolderInstance != instance))
            {
                throw new ApiException(ErrorCodes.TaskAlreadyClaimed, "Another instance holds this task's lease: stop, do not retry or do its work.",
                    ApiErrors.Details(("claimed_by", await Principals.ResolveOneAsync(Db, task.HolderId, c)), ("instance_id", task.HolderInstance),
                        ("expires_at", Clock.Time(task.ExpiresAt!.Value))));
            }
            // The same holder claiming again gets a new lease: the old token stops working.
            var again = task.HolderId is not null;
            leases.Start(task, caller.Id, instance, token, ttl);
            log.Add(task, TaskEventType.Claimed, scope.Principal, ("instance_id", instance), ("generation", task.Generation),
                ("ttl_seconds", ttl), ("expires_at", Clock.Time(task.ExpiresAt!.Value)), ("reclaimed", again));
            notifier.TaskChanged(members, task.RoomId, task.Id, TaskEventType.Claimed, scope.Principal);
            return task;
        }, ct);
        return new TaskClaimed(await BoardViews.TaskAsync(Db, task, ct), token, task.Generation, Clock.Time(task.ExpiresAt!.Value),
            Clock.Time(task.GraceUntil!.Value));
    }

    /// <summary>Extends a live lease (one in its grace period too) to now + its TTL.</summary>
    public async Task<LeaseOutcome<LeaseRenewed>> RenewAsync(Caller caller, string taskId, ClaimTokenRequest request, CancellationToken ct)
    {
        var (scope, token) = await PrepareTokenAsync(caller, taskId, request.ClaimToken, ct);
        return await writes.RunAsync(async c =>
        {
            var (task, members) = await LockedTaskAsync(scope, taskId, c);
            if (await StaleAsync(scope, task, token, "renew", c) is { } stale)
            {
                return LeaseOutcome<LeaseRenewed>.Rejected(stale);
            }
            leases.Extend(task);
            log.Add(task, TaskEventType.Renewed, scope.Principal, ("generation", task.Generation), ("expires_at", Clock.Time(task.ExpiresAt!.Value)));
            notifier.TaskChanged(members, task.RoomId, task.Id, TaskEventType.Renewed, scope.Principal);
            return LeaseOutcome<LeaseRenewed>.Ok(new LeaseRenewed(await BoardViews.TaskAsync(Db, task, c), task.Generation,
                Clock.Time(task.ExpiresAt!.Value), Clock.Time(task.GraceUntil!.Value)));
        }, ct);
    }

    /// <summary>Gives the task back: <c>todo</c> again, for the next claim.</summary>
    public async Task<LeaseOutcome<TaskView>> ReleaseAsync(Caller caller, string taskId, ClaimTokenRequest request, CancellationToken ct)
    {
        var (scope, token) = await PrepareTokenAsync(caller, taskId, request.ClaimToken, ct);
        return await writes.RunAsync(async c =>
        {
            var (task, members) = await LockedTaskAsync(scope, taskId, c);
            if (await StaleAsync(scope, task, token, "release", c) is { } stale)
            {
                return LeaseOutcome<TaskView>.Rejected(stale);
            }
            leases.End(task, TaskEventType.Released, scope.Principal, TaskState.Todo, ("reason", "released"));
            notifier.TaskChanged(members, task.RoomId, task.Id, TaskEventType.Released, scope.Principal);
            return LeaseOutcome<TaskView>.Ok(await BoardViews.TaskAsync(Db, task, c));
        }, ct);
    }

    /// <summary>
    /// The holder, with its token, sets <c>done</c>, <c>failed</c> or <c>blocked</c> (each ends the lease); people and
    /// the task's creator may cancel, or reopen a <c>blocked</c> or <c>failed</c> task to <c>todo</c>.
    /// </summary>
    public async Task<LeaseOutcome<TaskView>> SetStatusAsync(Caller caller, string taskId, TaskStatusRequest request, CancellationToken ct)
    {
        var (scope, current) = await access.OpenTaskAsync(caller, taskId, ct);
        scope.EnsureAgentCanWrite();
        var v = new Validator();
        var status = v.Required("status", request.Status);
        v.OneOf("status", request.Status, SettableStatuses);
        v.Length("summary", request.Summary, 0, 10_000);
        v.Length("next", request.Next, 0, 10_000);
        v.Length("reason", request.Reason, 0, 1_000);
        if (request.Artifacts is { } artifacts && (artifacts.Count > 100 || artifacts.Any(a => string.IsNullOrEmpty(a) || a.Length > 2_000)))
        {
            v.Add("artifacts", "at most 100 non-empty strings of at most 2000 characters");
        }
        v.ThrowIfInvalid();
        if (status is TaskState.Done or TaskState.Failed or TaskState.Blocked)
        {
            return await FinishAsync(scope, taskId, status, request, ct);
        }
        if (scope.IsAgent && current.CreatedBy != scope.Principal)
        {
            throw ApiErrors.Forbidden("people_or_creator_only", "Only people and the task's creator can cancel or reopen it.");
        }
        var task = await writes.RunAsync(async c =>
        {
            var (task, members) = await LockedTaskAsync(scope, taskId, c);
            var from = task.Status;
            if (status == TaskState.Cancelled)
            {
                if (TaskState.IsFinal(from))
                {
                    throw ApiErrors.Conflict($"The task is already {from}.");
                }
                leases.End(task, TaskEventType.Released, scope.Principal, TaskState.Todo, ("reason", "cancelled"));
            }
            else if (from is not (TaskState.Blocked or TaskState.Failed))
            {
                throw ApiErrors.Conflict($"The task is {from}; only a blocked or failed task can be reopened.");
            }
            else
            {
                task.Result = null;
            }
            task.Status = status;
            task.UpdatedAt = time.NowMs();
            log.Add(task, TaskEventType.StatusChanged, scope.Principal, ("from", from), ("to", status), ("reason", request.Reason));
            notifier.TaskChanged(members, task.RoomId, task.Id, TaskEventType.StatusChanged, scope.Principal);
            return task;
        }, ct);
        return LeaseOutcome<TaskView>.Ok(await BoardViews.TaskAsync(Db, task, ct));
    }

    private async Task<LeaseOutcome<TaskView>> FinishAsync(RoomScope scope, string taskId, string status, TaskStatusRequest request, CancellationToken ct)
    {
        var token = RequireToken(scope, request.ClaimToken);
        return await writes.RunAsync(async c =>
        {
            var (task, members) = await LockedTaskAsync(scope, taskId, c);
            if (await StaleAsync(scope, task, token, "status", c) is { } stale)
            {
                return LeaseOutcome<TaskView>.Rejected(stale);
            }
            if (request.ResultRef is { } reference)
            {
                await EnsureResultRefAsync(task.RoomId, reference, c);
            }
            if (request.Summary is not null || request.ResultRef is not null || request.Artifacts is not null || request.Next is not null)
            {
                task.Result = JsonSerializer.Serialize(new TaskResultView(request.Summary, request.ResultRef, request.Artifacts ?? [], request.Next), ParleyJson.Options);
            }
            leases.End(task, TaskEventType.StatusChanged, scope.Principal, status, ("from", TaskState.Doing), ("to", status), ("reason", request.Reason));
            notifier.TaskChanged(members, task.RoomId, task.Id, TaskEventType.StatusChanged, scope.Principal);
            return LeaseOutcome<TaskView>.Ok(await BoardViews.TaskAsync(Db, task, c));
        }, ct);
    }

    /// <summary><c>file:&lt;path&gt;</c> of a file in the room, or <c>msg:&lt;id&gt;</c> of a message in it.</summary>
    private async Task EnsureResultRefAsync(string roomId, string reference, CancellationToken c)
    {
        bool ok;
        if (reference.StartsWith("msg:", StringComparison.Ordinal))
        {
            var messageId = reference[4..];
            ok = await Db.RoomMessages.AsNoTracking().AnyAsync(m => m.RoomId == roomId && m.Id == messageId, c);
        }
        else if (reference.StartsWith("file:", StringComparison.Ordinal) && RoomPaths.Check(reference[5..]) is null)
        {
            var path = reference[5..];
            ok = await Db.RoomFiles.AsNoTracking().AnyAsync(f => f.RoomId == roomId && f.Path == path, c);
        }
        else
        {
            ok = false;
        }
        if (!ok)
        {
            throw ApiErrors.Validation("result_ref", "must be file:<path> of a file in this room or msg:<id> of a message in it");
        }
    }

    private async Task<(RoomScope Scope, string Token)> PrepareTokenAsync(Caller caller, string taskId, string? token, CancellationToken ct)
    {
        var (scope, _) = await access.OpenTaskAsync(caller, taskId, ct);
        scope.EnsureAgentCanWrite();
        return (scope, RequireToken(scope, token));
    }

    /// <summary>Only the holding agent acts with a claim token.</summary>
    private static string RequireToken(RoomScope scope, string? token)
    {
        scope.EnsureAgent();
        var v = new Validator();
        var presented = v.Required("claim_token", token);
        v.ThrowIfInvalid();
        return presented;
    }

    /// <summary>
    /// Under the room's lock: the room is still writable, the caller still a member, and a lapse of the task applied if
    /// it is due; then the task, tracked, and the room's agent members (whom its notices address). The lock and the
    /// reads it guards go in one batch: claims queue on the room's lock, so every round trip under it counts.
    /// </summary>
    private async Task<LockedTask> LockedTaskAsync(RoomScope scope, string taskId, CancellationToken c)
    {
        var roomId = scope.Room.Id;
        var room = RoomAccess.StatusAndMembership(roomId, scope.Caller.Id);
        var members = RoomNotifier.AgentMembers(roomId);
        await Sql.BatchAsync(Db, c, [.. writes.LockStatements(LockKeys.Room(roomId)), room, members]);
        if (room.Rows.Count == 0)
        {
            throw RoomAccess.NoSuchTask();
        }
        var (status, isMember) = room.Rows[0];
        RoomAccess.EnsureWritable(status, scope.Caller);
        if (scope.IsAgent && !isMember)
        {
            throw RoomAccess.NotAMember(roomId);
        }
        var task = await Db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, c) ?? throw RoomAccess.NoSuchTask();
        leases.ApplyLapse(task, status, members.Rows);
        return new LockedTask(task, members.Rows);
    }

    private sealed record LockedTask(RoomTask Task, IReadOnlyList<string> AgentMembers);

    /// <summary>A token that is not the live lease's: logged as <c>stale_rejected</c>, answered <c>CLAIM_STALE</c>.</summary>
    private async Task<ApiException?> StaleAsync(RoomScope scope, RoomTask task, string token, string operation, CancellationToken c)
    {
        if (Leases.Matches(task, token))
        {
            if (task.HolderId != scope.Caller.Id)
            {
                throw ApiErrors.Forbidden("not_the_holder", "This lease is held by another agent.");
            }
            return null;
        }
        log.Add(task, TaskEventType.StaleRejected, scope.Principal, ("operation", operation), ("generation", task.Generation));
        var holder = task.HolderId is null ? null : await Principals.ResolveOneAsync(Db, task.HolderId, c);
        return new ApiException(ErrorCodes.ClaimStale, "This claim token belongs to a lease that lapsed or was superseded.",
            ApiErrors.Details(("current_holder", holder), ("generation", task.Generation)));
    }
}
