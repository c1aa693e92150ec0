using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Governance.Plans;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Owners;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;
using Parley.Server.Platform;
using Parley.Server.Rooms.Board;

namespace Parley.Server.Rooms.Membership;

/// <summary>Rooms and their members: creation against the plan's room count, status changes and what they do to leases, membership.</summary>
internal sealed class RoomService(
    Writes writes, Ids ids, TimeProvider time, RoomAccess access, WorkspaceResolver workspaces, PlanCatalog plans, Leases leases, TaskLog log,
    RoomNotifier notifier)
{
    private ParleyDb Db => writes.Db;

    public async Task<RoomView> CreateAsync(Caller caller, CreateRoomRequest request, string? namedWorkspace, CancellationToken ct)
    {
        var v = new Validator();
        var name = v.Required("name", request.Name).Trim();
        v.Name("name", name, 1, 100);
        v.Length("topic", request.Topic, 0, 500);
        v.ThrowIfInvalid();
        var workspace = (await workspaces.ResolveAsync(caller, namedWorkspace, ct)).Workspace;
        var plan = plans.Get(workspace.Plan);
        var room = await writes.RunAsync(async c =>
        {
            // Counted under the workspace's lock, so concurrent creations never pass the plan's count.
            await writes.LockAsync(c, LockKeys.WorkspaceRooms(workspace.Id));
            PlanCatalog.EnsureBelowLimit("rooms", plan.MaxRooms, await RoomCount.OfAsync(Db, workspace.Id, c));
            var now = time.NowMs();
            var created = new Room
            {
                Id = ids.New("room"), Name = name, Topic = request.Topic?.Trim(), Status = RoomStatus.Active, Kind = RoomKind.SingleOwner,
                OwnerWorkspaceId = workspace.Id, CreatedBy = Principals.Of(caller), CreatedAt = now, UpdatedAt = now,
            };
            Db.Rooms.Add(created);
            Db.RoomMembers.Add(new RoomMember
            {
                RoomId = created.Id, MemberId = caller.Id, Kind = caller.Kind == CallerKind.Agent ? MemberKind.Agent : MemberKind.Account,
                Role = caller.Kind == CallerKind.Agent ? RoomRole.Member : RoomRole.Admin, WorkspaceId = workspace.Id,
                AddedBy = created.CreatedBy, JoinedAt = now,
            });
            return created;
        }, ct);
        return await MembershipViews.RoomAsync(Db, room, ct);
    }

    public async Task<Page<RoomView>> ListAsync(Caller caller, int? limit, string? cursor, CancellationToken ct)
    {
        var paging = Paging.From(limit, cursor);
        var rows = await access.VisibleRooms(caller).Where(r => paging.After == null || string.Compare(r.Id, paging.After) > 0)
            .OrderBy(r => r.Id).Take(paging.Limit + 1).ToListAsync(ct);
        var (items, next) = paging.Cut(rows, r => r.Id);
        return new Page<RoomView>(await MembershipViews.RoomsAsync(Db, items, ct), next);
    }

    public async Task<RoomView> GetAsync(Caller caller, string roomId, CancellationToken ct) =>
        await MembershipViews.RoomAsync(Db, (await access.OpenAsync(caller, roomId, ct)).Room, ct);

    /// <summary>
    /// Renames, and changes the status. Pausing stops lease clocks; resuming moves every live lease forward by the
    /// time spent paused; stopping or archiving ends every lease.
    /// </summary>
    public async Task<RoomView> UpdateAsync(Caller caller, string roomId, UpdateRoomRequest request, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsureAgentCanWrite();
        scope.EnsureAdmin();
        var v = new Validator();
        v.Name("name", request.Name?.Trim(), 1, 100);
        v.Length("topic", request.Topic, 0, 500);
        v.OneOf("status", request.Status, RoomStatus.All);
        v.ThrowIfInvalid();
        var room = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Room(roomId));
            var room = await Db.Rooms.FirstAsync(r => r.Id == roomId, c);
            room.Name = request.Name?.Trim() ?? room.Name;
            room.Topic = request.Topic?.Trim() ?? room.Topic;
            if (request.Status is { } status && status != room.Status)
            {
                await ChangeStatusAsync(room, status, scope.Principal, c);
            }
            room.UpdatedAt = time.NowMs();
            return room;
        }, ct);
        return await MembershipViews.RoomAsync(Db, room, ct);
    }

    private async Task ChangeStatusAsync(Room room, string status, string actor, CancellationToken c)
    {
        var now = time.NowMs();
        if (room.Status == RoomStatus.Active)
        {
            // What lapsed before the change lapses now; a pause must not revive it.
            await leases.ApplyLapsesAsync(room.Id, null, c);
        }
        if (room.Status == RoomStatus.Paused && status == RoomStatus.Active && room.PausedAt is { } pausedAt)
        {
            await leases.ShiftAsync(room.Id, now - pausedAt, c);
        }
        if (status is RoomStatus.Stopped or RoomStatus.Archived)
        {
            await leases.EndAllAsync(room.Id, "room_" + status, actor, c);
        }
        room.PausedAt = status == RoomStatus.Paused ? now : null;
        room.Status = status;
    }

    public async Task<Page<RoomMemberView>> MembersAsync(Caller caller, string roomId, CancellationToken ct)
    {
        await access.OpenAsync(caller, roomId, ct);
        var members = await Db.RoomMembers.AsNoTracking().Where(m => m.RoomId == roomId).OrderBy(m => m.JoinedAt).ThenBy(m => m.MemberId).ToListAsync(ct);
        return new Page<RoomMemberView>(await ToViewsAsync(members, ct), null);
    }

    private async Task<List<RoomMemberView>> ToViewsAsync(IReadOnlyList<RoomMember> members, CancellationToken ct)
    {
        var agentIds = members.Where(m => m.Kind == MemberKind.Agent).Select(m => m.MemberId).ToList();
        var accountIds = members.Where(m => m.Kind == MemberKind.Account).Select(m => m.MemberId).ToList();
        var agents = await AgentQueries.ManyAsync(Db, agentIds, ct);
        var names = await AccountQueries.NamesAsync(Db, accountIds, ct);
        return [.. members.Select(m => m.Kind == MemberKind.Agent
            ? new RoomMemberView(m.MemberId, m.Kind, m.Role, agents[m.MemberId].Handle, agents[m.MemberId].Plate, agents[m.MemberId].DisplayName,
                agents[m.MemberId].OwnerWorkspaceId, Clock.Time(m.JoinedAt))
            : new RoomMemberView(m.MemberId, m.Kind, m.Role, null, null, names.GetValueOrDefault(m.MemberId), m.WorkspaceId, Clock.Time(m.JoinedAt)))];
    }

    /// <summary>Adds an agent or a person of the room's own workspace; others come in through invites. True when added.</summary>
    public async Task<(RoomMemberView Member, bool Added)> AddMemberAsync(Caller caller, string roomId, AddRoomMemberRequest request, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsureAgentCanWrite();
        scope.EnsureAdmin();
        var v = new Validator();
        if (string.IsNullOrWhiteSpace(request.AgentId) == string.IsNullOrWhiteSpace(request.AccountId))
        {
            v.Add("agent_id", "give exactly one of agent_id and account_id");
        }
        v.OneOf("role", request.Role, RoomRole.Admin, RoomRole.Member);
        if (!string.IsNullOrWhiteSpace(request.AgentId) && request.Role == RoomRole.Admin)
        {
            v.Add("role", "agents have no room role; only people can be admins");
        }
        v.ThrowIfInvalid();
        var workspaceId = scope.Room.OwnerWorkspaceId;
        RoomMember member;
        if (!string.IsNullOrWhiteSpace(request.AgentId))
        {
            var agent = await AgentQueries.ByNameAsync(Db, request.AgentId, ct) ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
            if (agent.OwnerWorkspaceId != workspaceId)
            {
                throw ApiErrors.Validation("agent_id", "only agents of the room's workspace can be added directly; invite others by plate");
            }
            member = new RoomMember
            {
                RoomId = roomId, MemberId = agent.Id, Kind = MemberKind.Agent, Role = RoomRole.Member, WorkspaceId = workspaceId,
                AddedBy = scope.Principal, JoinedAt = time.NowMs(),
            };
        }
        else
        {
            var accountId = request.AccountId!.Trim();
            if (!await access.IsWorkspaceMemberAsync(accountId, workspaceId, ct))
            {
                throw new ApiException(ErrorCodes.MemberNotFound, "That account is not a member of the room's workspace; invite it by email.");
            }
            member = new RoomMember
            {
                RoomId = roomId, MemberId = accountId, Kind = MemberKind.Account, Role = request.Role ?? RoomRole.Member, WorkspaceId = workspaceId,
                AddedBy = scope.Principal, JoinedAt = time.NowMs(),
            };
        }
        var (stored, added) = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Room(roomId));
            if (await Db.RoomMembers.AsNoTracking().FirstOrDefaultAsync(m => m.RoomId == roomId && m.MemberId == member.MemberId, c) is { } existing)
            {
                return (existing, false);
            }
            Db.RoomMembers.Add(member);
            await Db.SaveChangesAsync(c);
            await RecomputeKindAsync(roomId, c);
            return (member, true);
        }, ct);
        return ((await ToViewsAsync([stored], ct))[0], added);
    }

    public async Task<RoomMemberView> UpdateMemberAsync(Caller caller, string roomId, string memberId, UpdateRoomMemberRequest request, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsureAgentCanWrite();
        scope.EnsureAdmin();
        var v = new Validator();
        var role = v.Required("role", request.Role);
        v.OneOf("role", request.Role, RoomRole.Admin, RoomRole.Member);
        v.ThrowIfInvalid();
        var targetId = await MemberIdAsync(memberId, ct);
        var member = await writes.RunAsync(async c =>
        {
            var member = await Db.RoomMembers.FirstOrDefaultAsync(m => m.RoomId == roomId && m.MemberId == targetId, c)
                ?? throw new ApiException(ErrorCodes.NotFound, "No such member.");
            if (member.Kind == MemberKind.Agent)
            {
                throw ApiErrors.Validation("role", "agents have no room role");
            }
            member.Role = role;
            return member;
        }, ct);
        return (await ToViewsAsync([member], ct))[0];
    }

    /// <summary>A room admin removes a member, or a member leaves. An agent that goes loses its leases and assignments here.</summary>
    public async Task RemoveMemberAsync(Caller caller, string roomId, string memberId, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        var targetId = await MemberIdAsync(memberId, ct);
        if (targetId != caller.Id)
        {
            scope.EnsureAgentCanWrite();
            scope.EnsureAdmin();
        }
        await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Room(roomId));
            var member = await Db.RoomMembers.AsNoTracking().FirstOrDefaultAsync(m => m.RoomId == roomId && m.MemberId == targetId, c)
                ?? throw new ApiException(ErrorCodes.NotFound, "No such member.");
            if (member.Kind == MemberKind.Agent)
            {
                await RemoveAgentAsync(roomId, member.MemberId, "left_room", scope.Principal, c);
            }
            else
            {
                await Db.RoomMembers.Where(m => m.RoomId == roomId && m.MemberId == targetId).ExecuteDeleteAsync(c);
                await RecomputeKindAsync(roomId, c);
            }
        }, ct);
    }

    /// <summary>
    /// Inside a transaction holding the room's lock: the agent's leases end, its assignments are cleared, its
    /// unhandled mentions go, and it leaves the room (leaving, removal, deletion of the agent).
    /// </summary>
    public async Task RemoveAgentAsync(string roomId, string agentId, string reason, string? actor, CancellationToken c)
    {
        var tasks = await Db.Tasks.Where(t => t.RoomId == roomId && (t.HolderId == agentId || t.AssigneeId == agentId)).ToListAsync(c);
        foreach (var task in tasks)
        {
            if (task.HolderId == agentId)
            {
                leases.End(task, TaskEventType.Released, actor, TaskState.Todo, ("reason", reason));
            }
            if (task.AssigneeId == agentId)
            {
                task.AssigneeId = null;
                task.Consent = TaskConsent.Auto;
                task.UpdatedAt = time.NowMs();
                log.Add(task, TaskEventType.Updated, actor, ("assignee", null), ("reason", reason));
            }
        }
        await Db.SaveChangesAsync(c);
        await Db.Mentions.Where(m => m.RoomId == roomId && m.AgentId == agentId && m.AckedAt == null).ExecuteDeleteAsync(c);
        await Db.RoomMembers.Where(m => m.RoomId == roomId && m.MemberId == agentId).ExecuteDeleteAsync(c);
        await RecomputeKindAsync(roomId, c);
        foreach (var task in tasks)
        {
            await notifier.TaskChangedAsync(roomId, task.Id, TaskEventType.Released, actor, c);
            notifier.TaskChangedFor(agentId, roomId, task.Id, TaskEventType.Released);
        }
    }

    /// <summary><c>cross_owner</c> while members come from two or more workspaces (the owning one included), else <c>single_owner</c>.</summary>
    public async Task RecomputeKindAsync(string roomId, CancellationToken c)
    {
        var room = await Db.Rooms.FirstAsync(r => r.Id == roomId, c);
        var agentWorkspaces = await Db.RoomMembers.Where(m => m.RoomId == roomId && m.Kind == MemberKind.Agent)
            .Join(AgentQueries.All(Db), m => m.MemberId, a => a.Id, (m, a) => a.OwnerWorkspaceId).Where(w => w != null).Select(w => w!).ToListAsync(c);
        var personWorkspaces = await Db.RoomMembers.Where(m => m.RoomId == roomId && m.Kind == MemberKind.Account && m.WorkspaceId != null)
            .Select(m => m.WorkspaceId!).ToListAsync(c);
        var distinct = agentWorkspaces.Concat(personWorkspaces).Append(room.OwnerWorkspaceId).Distinct(StringComparer.Ordinal).Count();
        room.Kind = distinct >= 2 ? RoomKind.CrossOwner : RoomKind.SingleOwner;
    }

    /// <summary>A member named by account id, or an agent by id, handle or plate.</summary>
    private async Task<string> MemberIdAsync(string name, CancellationToken ct) =>
        name.StartsWith("acct_", StringComparison.Ordinal) ? name : (await AgentQueries.ByNameAsync(Db, name, ct))?.Id ?? name;
}

/// <summary>The rooms a workspace owns, whatever their status, as its plan's <c>max_rooms</c> counts them.</summary>
internal sealed class RoomCount(Writes writes) : Governance.IWorkspaceCount
{
    public string Name => "rooms";

    public async Task<long> CountAsync(string workspaceId, CancellationToken ct) => await OfAsync(writes.Db, workspaceId, ct);

    public static Task<int> OfAsync(ParleyDb db, string workspaceId, CancellationToken ct) => db.Rooms.CountAsync(r => r.OwnerWorkspaceId == workspaceId, ct);
}
