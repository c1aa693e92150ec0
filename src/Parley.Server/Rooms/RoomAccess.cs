using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.Errors;
using Parley.Server.Rooms.Board;
using Parley.Server.Rooms.Membership;

namespace Parley.Server.Rooms;

/// <summary>A caller inside a room it can see, with what it may do there.</summary>
internal sealed record RoomScope(Room Room, Caller Caller, RoomMember? Membership, bool IsAdmin)
{
    public bool IsAgent => Caller.Kind == CallerKind.Agent;

    public string Principal => Principals.Of(Caller);

    /// <summary>
    /// Whose <c>messages</c> meter the caller's posts count on: its agent's workspace (a guest's own, never the host's),
    /// or the room's for a person or an agent no workspace owns.
    /// </summary>
    public string UsageWorkspaceId => Caller.Agent?.OwnerWorkspaceId ?? Room.OwnerWorkspaceId;

    /// <summary>Every agent write in a room that is not <c>active</c> answers <c>THREAD_NOT_ACTIVE</c>; people are not gated.</summary>
    public void EnsureAgentCanWrite() => RoomAccess.EnsureWritable(Room, Caller);

    public void EnsureAdmin()
    {
        if (!IsAdmin)
        {
            throw new ApiException(ErrorCodes.PermissionDenied, "This needs a room admin.", ApiErrors.Details(("required_role", RoomRole.Admin)));
        }
    }

    public void EnsurePerson()
    {
        if (IsAgent)
        {
            throw ApiErrors.Forbidden("people_only", "Only people can do this.");
        }
    }

    public void EnsureAgent()
    {
        if (!IsAgent)
        {
            throw ApiErrors.Forbidden("agents_only", "Only agents can do this.");
        }
    }
}

/// <summary>
/// Membership is the security boundary, and this is its one definition. A person can see a room when they are a
/// member, an owner or admin of the owning workspace (then they are also a room admin), or an owner or admin of a
/// workspace one of whose agents is a member. An agent can see a room when it is a member; an agent that is not, but
/// whose owner (an owner or admin of its workspace) can see the room, gets <c>403 NOT_A_MEMBER</c>. Everyone else gets
/// <c>404 NOT_FOUND</c>, exactly as for a room that does not exist.
/// </summary>
internal sealed class RoomAccess(ParleyDb db)
{
    public static ApiException NotFound() => new(ErrorCodes.NotFound, "No such room.");

    public static ApiException NoSuchTask() => new(ErrorCodes.NotFound, "No such task.");

    public static ApiException NotAMember(string roomId) =>
        new(ErrorCodes.NotAMember, "This agent is not a member of the room.", ApiErrors.Details(("room_id", roomId)));

    public static void EnsureWritable(Room room, Caller caller) => EnsureWritable(room.Status, caller);

    public static void EnsureWritable(string roomStatus, Caller caller)
    {
        if (caller.Kind == CallerKind.Agent && roomStatus != RoomStatus.Active)
        {
            throw new ApiException(ErrorCodes.ThreadNotActive, $"The room is {roomStatus}; agents cannot write to it.",
                ApiErrors.Details(("room_status", roomStatus)));
        }
    }

    /// <summary>
    /// The room's status and whether <paramref name="memberId"/> is one of its members, as a statement of a batch (no
    /// row: no such room).
    /// </summary>
    public static SqlQuery<(string Status, bool IsMember)> StatusAndMembership(string roomId, string memberId) =>
        new("SELECT r.status AS status, EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.member_id = @p1) AS is_member "
            + "FROM rooms r WHERE r.id = @p0", r => (r.Text("status"), r.Flag("is_member")), roomId, memberId);

    public async Task<RoomScope> OpenAsync(Caller caller, string roomId, CancellationToken ct)
    {
        var room = await db.Rooms.AsNoTracking().FirstOrDefaultAsync(r => r.Id == roomId, ct) ?? throw NotFound();
        var membership = await db.RoomMembers.AsNoTracking().FirstOrDefaultAsync(m => m.RoomId == roomId && m.MemberId == caller.Id, ct);
        if (caller.Kind == CallerKind.Agent)
        {
            return membership is not null ? new RoomScope(room, caller, membership, IsAdmin: false)
                : await AgentOwnerCanSeeAsync(caller.Agent!, room, ct) ? throw NotAMember(roomId)
                : throw NotFound();
        }
        var workspaceAdmin = await IsWorkspaceAdminAsync(caller.Id, room.OwnerWorkspaceId, ct);
        if (membership is not null || workspaceAdmin)
        {
            return new RoomScope(room, caller, membership, workspaceAdmin || membership?.Role == RoomRole.Admin);
        }
        return await OwnsAnAgentMemberAsync(caller.Id, roomId, ct) ? new RoomScope(room, caller, null, IsAdmin: false) : throw NotFound();
    }

    /// <summary>The task and the caller's scope in its room; a task in a room the caller cannot see is not found.</summary>
    public async Task<(RoomScope Scope, RoomTask Task)> OpenTaskAsync(Caller caller, string taskId, CancellationToken ct)
    {
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId, ct)
            ?? throw NoSuchTask();
        return (await OpenAsync(caller, task.RoomId, ct), task);
    }

    /// <summary>Whether the caller can see the room, without saying why not.</summary>
    public async Task<bool> CanSeeAsync(Caller caller, string roomId, CancellationToken ct)
    {
        try
        {
            await OpenAsync(caller, roomId, ct);
            return true;
        }
        catch (ApiException e) when (e.Code is ErrorCodes.NotFound or ErrorCodes.NotAMember)
        {
            return false;
        }
    }

    /// <summary>Ids of the rooms the caller can see (for lists).</summary>
    public IQueryable<Room> VisibleRooms(Caller caller)
    {
        var id = caller.Id;
        if (caller.Kind == CallerKind.Agent)
        {
            return db.Rooms.AsNoTracking().Where(r => db.RoomMembers.Any(m => m.RoomId == r.Id && m.MemberId == id));
        }
        var adminOf = WorkspaceQueries.AdministeredBy(db, id);
        var agents = AgentQueries.All(db);
        return db.Rooms.AsNoTracking().Where(r => adminOf.Contains(r.OwnerWorkspaceId)
            || db.RoomMembers.Any(m => m.RoomId == r.Id && m.MemberId == id)
            || db.RoomMembers.Any(m => m.RoomId == r.Id && m.Kind == MemberKind.Agent
                && agents.Any(a => a.Id == m.MemberId && a.OwnerWorkspaceId != null && adminOf.Contains(a.OwnerWorkspaceId))));
    }

    public Task<bool> IsWorkspaceAdminAsync(string accountId, string? workspaceId, CancellationToken ct) =>
        WorkspaceQueries.IsAdministratorAsync(db, accountId, workspaceId, ct);

    public Task<bool> IsWorkspaceMemberAsync(string accountId, string? workspaceId, CancellationToken ct) =>
        WorkspaceQueries.IsMemberAsync(db, accountId, workspaceId, ct);

    /// <summary>The workspace the caller acts for in this room: an agent's own; a person's room workspace if they administer it, else the one they joined through.</summary>
    public async Task<string?> ActingWorkspaceAsync(RoomScope scope, CancellationToken ct) =>
        scope.IsAgent ? scope.Caller.Agent!.OwnerWorkspaceId
            : await IsWorkspaceAdminAsync(scope.Caller.Id, scope.Room.OwnerWorkspaceId, ct) ? scope.Room.OwnerWorkspaceId
            : scope.Membership?.WorkspaceId;

    /// <summary>Whether the caller is the same owner as an agent of <paramref name="workspaceId"/>: that workspace's agent, or a person in it.</summary>
    public async Task<bool> IsSameOwnerAsync(Caller caller, string? workspaceId, CancellationToken ct) =>
        workspaceId is not null && (caller.Kind == CallerKind.Agent
            ? caller.Agent!.OwnerWorkspaceId == workspaceId
            : await IsWorkspaceMemberAsync(caller.Id, workspaceId, ct));

    private Task<bool> OwnsAnAgentMemberAsync(string accountId, string roomId, CancellationToken ct)
    {
        var adminOf = WorkspaceQueries.AdministeredBy(db, accountId);
        return db.RoomMembers.AsNoTracking().Where(m => m.RoomId == roomId && m.Kind == MemberKind.Agent)
            .Join(AgentQueries.All(db), m => m.MemberId, a => a.Id, (m, a) => a.OwnerWorkspaceId)
            .AnyAsync(w => w != null && adminOf.Contains(w), ct);
    }

    /// <summary>Whether some owner or admin of the agent's workspace can see the room.</summary>
    private async Task<bool> AgentOwnerCanSeeAsync(Agent agent, Room room, CancellationToken ct)
    {
        var workspaceId = agent.OwnerWorkspaceId;
        if (workspaceId is null)
        {
            return false;
        }
        if (room.OwnerWorkspaceId == workspaceId)
        {
            return true;
        }
        var owners = WorkspaceQueries.AdministratorsOf(db, workspaceId);
        var ownersAdminOf = WorkspaceQueries.AdministeredByAny(db, owners);
        return await ownersAdminOf.AnyAsync(w => w == room.OwnerWorkspaceId, ct)
            || await db.RoomMembers.AsNoTracking().AnyAsync(m => m.RoomId == room.Id && m.Kind == MemberKind.Account && owners.Contains(m.MemberId), ct)
            || await db.RoomMembers.AsNoTracking().Where(m => m.RoomId == room.Id && m.Kind == MemberKind.Agent)
                .Join(AgentQueries.All(db), m => m.MemberId, a => a.Id, (m, a) => a.OwnerWorkspaceId)
                .AnyAsync(w => w != null && ownersAdminOf.Contains(w), ct);
    }
}
