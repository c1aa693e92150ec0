using System.Globalization;
using System.Text.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Events;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.OwnerEvents;
using Parley.Server.Platform.Validation;
using Parley.Server.Platform;
using Parley.Server.Rooms.Thread;

namespace Parley.Server.Rooms.Board;

/// <summary>
/// The task board: creating, editing, reading and deleting tasks, the consent of cross-owner assignments and its
/// decision by the assignee's owner. Leases are <see cref="TaskLeaseService"/>'s.
/// </summary>
internal sealed class TaskService(
    Writes writes, Ids ids, TimeProvider time, RoomAccess access, Leases leases, TaskLog log, CrossOwnerRules crossOwner, RoomMessageService messages,
    RoomNotifier notifier, OwnerEventLog events)
{
    private ParleyDb Db => writes.Db;

    public async Task<TaskView> CreateAsync(Caller caller, string roomId, CreateTaskRequest request, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsureAgentCanWrite();
        var v = new Validator();
        var title = v.Required("title", request.Title).Trim();
        ValidateText(v, title, request.Detail, request.DefinitionOfDone);
        v.ThrowIfInvalid();
        var assignment = await crossOwner.AssignAsync(scope, request.Assignee, ct);
        var task = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Room(roomId));
            var now = time.NowMs();
            var position = request.Order ?? ((await Db.Tasks.Where(t => t.RoomId == roomId).MaxAsync(t => (long?)t.Position, c) ?? 0) + 1);
            var task = new RoomTask
            {
                Id = ids.New("task"), RoomId = roomId, Title = title, Detail = request.Detail, DefinitionOfDone = request.DefinitionOfDone,
                AssigneeId = assignment.AgentId, Status = TaskState.Todo, Consent = assignment.Consent, Position = position,
                CreatedBy = scope.Principal, CreatedAt = now, UpdatedAt = now,
            };
            Db.Tasks.Add(task);
            log.Add(task, TaskEventType.Created, scope.Principal, ("assignee", task.AssigneeId), ("consent", task.Consent));
            await AnnounceAssigneeAsync(scope, task, c);
            await notifier.TaskChangedAsync(roomId, task.Id, TaskEventType.Created, scope.Principal, c);
            return task;
        }, ct);
        return await BoardViews.TaskAsync(Db, task, ct);
    }

    private static void ValidateText(Validator v, string? title, string? detail, string? definitionOfDone)
    {
        v.Name("title", title, 1, 200);
        v.Length("detail", detail, 0, 20_000);
        v.Length("definition_of_done", definitionOfDone, 0, 5_000);
    }

    /// <summary>
    /// Assigning an agent mentions it, with a message in the room from whoever assigned it; an assignment that waits for
    /// the consent of the agent's owner is announced on that workspace's owner event stream.
    /// </summary>
    private async Task AnnounceAssigneeAsync(RoomScope scope, RoomTask task, CancellationToken c)
    {
        if (task.AssigneeId is null || task.AssigneeId == scope.Caller.Id)
        {
            return;
        }
        var handle = await AgentQueries.HandleAsync(Db, task.AssigneeId, c);
        await messages.StoreAsync(scope, $"@{handle} you are assigned: {task.Title}", [task.AssigneeId], null, task.Id, c);
        if (task.Consent == TaskConsent.Pending && await AgentQueries.ByIdAsync(Db, task.AssigneeId, c) is { OwnerWorkspaceId: { } workspaceId })
        {
            events.Record(workspaceId, OwnerEventTypes.TaskConsentRequested, new ConsentRequested(task.RoomId, task.Id, task.AssigneeId));
        }
    }

    private sealed record ConsentRequested(string RoomId, string TaskId, string AgentId);

    public async Task<Page<TaskView>> ListAsync(Caller caller, string roomId, string? status, string? assignee, int? limit, string? cursor, CancellationToken ct)
    {
        await access.OpenAsync(caller, roomId, ct);
        var v = new Validator();
        v.OneOf("status", status, TaskState.All);
        v.ThrowIfInvalid();
        var paging = Paging.From(limit, cursor);
        var (afterPosition, afterId) = DecodeCursor(paging.After);
        await leases.LapseIfDueAsync(roomId, null, ct);

        var query = Db.Tasks.AsNoTracking().Where(t => t.RoomId == roomId);
        if (status is not null)
        {
            query = query.Where(t => t.Status == status);
        }
        if (assignee is not null)
        {
            var assigneeId = assignee == "none" ? null : (await AgentQueries.ByNameAsync(Db, assignee, ct))?.Id ?? "";
            query = query.Where(t => t.AssigneeId == assigneeId);
        }
        if (afterId is not null)
        {
            query = query.Where(t => t.Position > afterPosition || (t.Position == afterPosition && string.Compare(t.Id, afterId) > 0));
        }
        var rows = await query.OrderBy(t => t.Position).ThenBy(t => t.Id).Take(paging.Limit + 1).ToListAsync(ct);
        var page = rows.Take(paging.Limit).ToList();
        var next = rows.Count > paging.Limit ? string.Create(CultureInfo.InvariantCulture, $"{page[^1].Position}:{page[^1].Id}") : null;
        return new Page<TaskView>(await BoardViews.TasksAsync(Db, page, ct), next is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(next)));
    }

    private static (long Position, string? Id) DecodeCursor(string? after)
    {
        if (after is null)
        {
            return (0, null);
        }
        var split = after.IndexOf(':', StringComparison.Ordinal);
        return split > 0 && long.TryParse(after.AsSpan(0, split), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var position)
            ? (position, after[(split + 1)..])
            : throw ApiErrors.Validation("cursor", "is not a cursor this server gave");
    }

    public async Task<TaskView> GetAsync(Caller caller, string taskId, CancellationToken ct)
    {
        var (_, task) = await access.OpenTaskAsync(caller, taskId, ct);
        await leases.LapseIfDueAsync(task.RoomId, task.Id, ct);
        return await BoardViews.TaskAsync(Db, await Db.Tasks.AsNoTracking().FirstAsync(t => t.Id == taskId, ct), ct);
    }

    public async Task<Page<TaskEventView>> EventsAsync(Caller caller, string taskId, int? limit, string? cursor, CancellationToken ct)
    {
        var (_, task) = await access.OpenTaskAsync(caller, taskId, ct);
        await leases.LapseIfDueAsync(task.RoomId, task.Id, ct);
        var paging = Paging.From(limit, cursor);
        var rows = await Db.TaskEvents.AsNoTracking().Where(e => e.TaskId == taskId && (paging.After == null || string.Compare(e.Id, paging.After) > 0))
            .OrderBy(e => e.Id).Take(paging.Limit + 1).ToListAsync(ct);
        var (items, next) = paging.Cut(rows, e => e.Id);
        return new Page<TaskEventView>(await BoardViews.EventsAsync(Db, items, ct), next);
    }

    /// <summary>The creator or a room admin edits; reassigning ends the current lease and asks for consent again.</summary>
    public async Task<TaskView> UpdateAsync(Caller caller, string taskId, UpdateTaskRequest request, CancellationToken ct)
    {
        var (scope, current) = await access.OpenTaskAsync(caller, taskId, ct);
        scope.EnsureAgentCanWrite();
        EnsureCreatorOrAdmin(scope, current);
        var v = new Validator();
        ValidateText(v, request.Title?.Trim(), request.Detail, request.DefinitionOfDone);
        string? assigneeName = null;
        var reassign = request.Assignee.ValueKind != JsonValueKind.Undefined;
        if (reassign)
        {
            if (request.Assignee.ValueKind == JsonValueKind.String)
            {
                assigneeName = request.Assignee.GetString() is { Length: > 0 } named ? named : null;
            }
            else if (request.Assignee.ValueKind != JsonValueKind.Null)
            {
                v.Add("assignee", "must be an agent's id, handle or plate, or null");
            }
        }
        v.ThrowIfInvalid();
        var assignment = reassign ? await crossOwner.AssignAsync(scope, assigneeName, ct) : null;
        var task = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Room(scope.Room.Id));
            await leases.ApplyLapsesAsync(scope.Room.Id, taskId, c);
            var task = await Db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, c) ?? throw RoomAccess.NoSuchTask();
            var changed = new List<string>();
            if (request.Title is not null)
            {
                task.Title = request.Title.Trim();
                changed.Add("title");
            }
            if (request.Detail is not null)
            {
                task.Detail = request.Detail.Length == 0 ? null : request.Detail;
                changed.Add("detail");
            }
            if (request.DefinitionOfDone is not null)
            {
                task.DefinitionOfDone = request.DefinitionOfDone.Length == 0 ? null : request.DefinitionOfDone;
                changed.Add("definition_of_done");
            }
            if (request.Order is { } order)
            {
                task.Position = order;
                changed.Add("order");
            }
            var newAssignee = assignment is not null && assignment.AgentId != task.AssigneeId;
            if (newAssignee)
            {
                if (TaskState.IsFinal(task.Status))
                {
                    throw ApiErrors.Conflict($"The task is {task.Status}; it cannot be reassigned.");
                }
                leases.End(task, TaskEventType.Released, scope.Principal, TaskState.Todo, ("reason", "reassigned"));
                task.AssigneeId = assignment!.AgentId;
                task.Consent = assignment.Consent;
                changed.Add("assignee");
            }
            task.UpdatedAt = time.NowMs();
            log.Add(task, TaskEventType.Updated, scope.Principal, ("fields", changed), ("assignee", task.AssigneeId), ("consent", task.Consent));
            if (newAssignee)
            {
                await AnnounceAssigneeAsync(scope, task, c);
            }
            await notifier.TaskChangedAsync(task.RoomId, task.Id, TaskEventType.Updated, scope.Principal, c);
            return task;
        }, ct);
        return await BoardViews.TaskAsync(Db, task, ct);
    }

    public async Task DeleteAsync(Caller caller, string taskId, CancellationToken ct)
    {
        var (scope, task) = await access.OpenTaskAsync(caller, taskId, ct);
        scope.EnsureAgentCanWrite();
        EnsureCreatorOrAdmin(scope, task);
        await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Room(task.RoomId));
            if (await Db.Tasks.Where(t => t.Id == taskId).ExecuteDeleteAsync(c) == 0)
            {
                throw RoomAccess.NoSuchTask();
            }
            await Db.TaskEvents.Where(e => e.TaskId == taskId).ExecuteDeleteAsync(c);
            await notifier.TaskChangedAsync(task.RoomId, taskId, "deleted", scope.Principal, c);
        }, ct);
    }

    private static void EnsureCreatorOrAdmin(RoomScope scope, RoomTask task)
    {
        if (task.CreatedBy != scope.Principal && !scope.IsAdmin)
        {
            throw ApiErrors.Forbidden("creator_or_admin_only", "Only the task's creator or a room admin can do this.");
        }
    }

    /// <summary>The assignee's owner accepts a <c>pending</c> cross-owner task: its agent may now claim it.</summary>
    public Task<TaskView> AcceptAsync(Caller caller, string taskId, CancellationToken ct) => DecideAsync(caller, taskId, accept: true, null, ct);

    /// <summary>The assignee's owner rejects a <c>pending</c> task: it returns to its creator unassigned.</summary>
    public Task<TaskView> RejectAsync(Caller caller, string taskId, RejectTaskRequest? request, CancellationToken ct)
    {
        var v = new Validator();
        v.Length("reason", request?.Reason, 0, 1000);
        v.ThrowIfInvalid();
        return DecideAsync(caller, taskId, accept: false, request?.Reason, ct);
    }

    private async Task<TaskView> DecideAsync(Caller caller, string taskId, bool accept, string? reason, CancellationToken ct)
    {
        var (scope, _) = await access.OpenTaskAsync(caller, taskId, ct);
        scope.EnsurePerson();
        var task = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Room(scope.Room.Id));
            var task = await Db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, c) ?? throw RoomAccess.NoSuchTask();
            if (task.Consent != TaskConsent.Pending || task.AssigneeId is null)
            {
                throw ApiErrors.Conflict($"The task's consent is {task.Consent}; only a pending task can be accepted or rejected.");
            }
            var assigneeWorkspace = await AgentQueries.OwnerWorkspaceAsync(Db, task.AssigneeId, c);
            if (!await access.IsWorkspaceAdminAsync(caller.Id, assigneeWorkspace, c))
            {
                throw ApiErrors.Forbidden("assignee_owner_only", "Only the assignee's owner decides this task.");
            }
            task.UpdatedAt = time.NowMs();
            if (accept)
            {
                task.Consent = TaskConsent.Accepted;
                log.Add(task, TaskEventType.Accepted, scope.Principal, ("assignee", task.AssigneeId));
            }
            else
            {
                log.Add(task, TaskEventType.Rejected, scope.Principal, ("assignee", task.AssigneeId), ("reason", reason));
                task.AssigneeId = null;
                task.Consent = TaskConsent.Rejected;
            }
            await notifier.TaskChangedAsync(task.RoomId, task.Id, accept ? TaskEventType.Accepted : TaskEventType.Rejected, scope.Principal, c);
            return task;
        }, ct);
        return await BoardViews.TaskAsync(Db, task, ct);
    }
}
