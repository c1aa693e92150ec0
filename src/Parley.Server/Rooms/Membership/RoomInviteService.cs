using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Owners;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Governance.Plans;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Rooms.Membership;

/// <summary>
/// Cross-owner consent: invitations into a room, the grants that accepting an agent's invitation gives, their
/// withdrawal, and each owner's consent mode for its agents in a room.
/// </summary>
internal sealed class RoomInviteService(
    Writes writes, Ids ids, TimeProvider time, RoomAccess access, RoomService rooms, WorkspaceResolver workspaces, PlanCatalog plans,
    IOptions<RoomsOptions> options)
{
    private ParleyDb Db => writes.Db;

    public async Task<RoomInviteCreated> CreateAsync(Caller caller, string roomId, CreateRoomInviteRequest request, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsureAgentCanWrite();
        scope.EnsureAdmin();
        var v = new Validator();
        var kind = v.Required("kind", request.Kind);
        v.OneOf("kind", request.Kind, InviteKind.AgentPlate, InviteKind.HumanEmail);
        var target = v.Required("target", request.Target).Trim();
        if (kind == InviteKind.HumanEmail)
        {
            OwnerAuthService.ValidateEmail(v, "target", target);
        }
        v.ThrowIfInvalid();

        string? agentId = null;
        if (kind == InviteKind.AgentPlate)
        {
            var agent = await AgentQueries.ByNameAsync(Db, target, ct) ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
            if (agent.OwnerWorkspaceId is null)
            {
                throw ApiErrors.Validation("target", "this agent has no owner who could accept an invitation");
            }
            if (await Db.RoomMembers.AsNoTracking().AnyAsync(m => m.RoomId == roomId && m.MemberId == agent.Id, ct))
            {
                throw ApiErrors.Conflict("The agent is already a member of this room.");
            }
            if (agent.OwnerWorkspaceId != scope.Room.OwnerWorkspaceId)
            {
                await EnsureCrossOwnerPlanAsync(scope.Room, ct);
            }
            agentId = agent.Id;
            target = agent.Plate;
        }
        else
        {
            target = OwnerAuthService.NormalizeEmail(target);
        }
        var now = time.NowMs();
        var invite = new RoomInvite
        {
            Id = ids.New("inv"), RoomId = roomId, Kind = kind, Target = target, TargetAgentId = agentId, Status = InviteStatus.Pending,
            InvitedBy = scope.Principal, CreatedAt = now, ExpiresAt = now + (options.Value.Limits.RoomInviteDays * Clock.DayMs),
        };
        await writes.RunAsync(_ =>
        {
            Db.RoomInvites.Add(invite);
            return Task.CompletedTask;
        }, ct);
        return new RoomInviteCreated(await MembershipViews.InviteAsync(Db, invite, scope.Room.Name, ct));
    }

    private async Task EnsureCrossOwnerPlanAsync(Room room, CancellationToken ct)
    {
        plans.EnsureFeature(plans.Get(await WorkspaceQueries.PlanAsync(Db, room.OwnerWorkspaceId, ct)), PlanFeatures.CrossOwnerRooms);
    }

    /// <summary>Pending invitations addressed to the caller: to their verified email, or to an agent of a workspace they administer.</summary>
    public async Task<Page<RoomInviteView>> ListAsync(Caller caller, CancellationToken ct)
    {
        var rows = await Addressed(caller).OrderBy(i => i.Id).Take(200).ToListAsync(ct);
        var roomIds = rows.Select(i => i.RoomId).Distinct().ToList();
        var names = await Db.Rooms.AsNoTracking().Where(r => roomIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Name, ct);
        var views = new List<RoomInviteView>();
        foreach (var invite in rows)
        {
            views.Add(await MembershipViews.InviteAsync(Db, invite, names[invite.RoomId], ct));
        }
        return new Page<RoomInviteView>(views, null);
    }

    private IQueryable<RoomInvite> Addressed(Caller caller)
    {
        var account = caller.Account!;
        var now = time.NowMs();
        var email = account.EmailVerified ? account.Email : null;
        var adminOf = WorkspaceQueries.AdministeredBy(Db, account.Id);
        var agents = AgentQueries.Live(Db);
        return Db.RoomInvites.AsNoTracking().Where(i => i.Status == InviteStatus.Pending && i.ExpiresAt > now
            && ((i.Kind == InviteKind.HumanEmail && i.Target == email)
                || (i.Kind == InviteKind.AgentPlate && agents.Any(a => a.Id == i.TargetAgentId
                    && a.OwnerWorkspaceId != null && adminOf.Contains(a.OwnerWorkspaceId)))));
    }

    /// <summary>
    /// Accepts, once. An agent's invitation adds the agent and the accepting owner (as a member) and grants the room
    /// cross-owner consent for the agent's workspace; a person's adds the person.
    /// </summary>
    public async Task<RoomInviteAccepted> AcceptAsync(Caller caller, string inviteId, CancellationToken ct)
    {
        var room = await writes.RunAsync(async c =>
        {
            var invite = await Addressed(caller).FirstOrDefaultAsync(i => i.Id == inviteId, c) ?? throw new ApiException(ErrorCodes.NotFound, "No such invitation.");
            await writes.LockAsync(c, LockKeys.Room(invite.RoomId));
            var now = time.NowMs();
            // One-time: of two concurrent acceptances, one changes the row.
            if (await Db.RoomInvites.Where(i => i.Id == inviteId && i.Status == InviteStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, InviteStatus.Accepted).SetProperty(i => i.DecidedBy, caller.Id)
                    .SetProperty(i => i.DecidedAt, now), c) == 0)
            {
                throw new ApiException(ErrorCodes.NotFound, "No such invitation.");
            }
            var room = await Db.Rooms.AsNoTracking().FirstAsync(r => r.Id == invite.RoomId, c);
            var principal = Principals.Of(caller);
            if (invite.Kind == InviteKind.AgentPlate)
            {
                var agent = (await AgentQueries.ByIdAsync(Db, invite.TargetAgentId, c))!;
                var workspaceId = agent.OwnerWorkspaceId!;
                if (workspaceId != room.OwnerWorkspaceId)
                {
                    await EnsureCrossOwnerPlanAsync(room, c);
                    await GrantAsync(room.Id, workspaceId, caller.Id, now, c);
                }
                await AddMemberIfAbsentAsync(room.Id, agent.Id, MemberKind.Agent, workspaceId, principal, now, c);
                await AddMemberIfAbsentAsync(room.Id, caller.Id, MemberKind.Account, workspaceId, principal, now, c);
            }
            else
            {
                await AddMemberIfAbsentAsync(room.Id, caller.Id, MemberKind.Account, null, principal, now, c);
            }
            await Db.SaveChangesAsync(c);
            await rooms.RecomputeKindAsync(room.Id, c);
            return room;
        }, ct);
        return new RoomInviteAccepted(await MembershipViews.RoomAsync(Db, await Db.Rooms.AsNoTracking().FirstAsync(r => r.Id == room.Id, ct), ct));
    }

    private async Task GrantAsync(string roomId, string workspaceId, string accountId, long now, CancellationToken c)
    {
        var grant = await Db.RoomGrants.FirstOrDefaultAsync(g => g.RoomId == roomId && g.WorkspaceId == workspaceId, c);
        if (grant is null)
        {
            Db.RoomGrants.Add(new RoomGrant { RoomId = roomId, WorkspaceId = workspaceId, GrantedBy = accountId, GrantedAt = now });
            return;
        }
        grant.GrantedBy = accountId;
        grant.GrantedAt = now;
        grant.RevokedAt = null;
    }

    private async Task AddMemberIfAbsentAsync(string roomId, string memberId, string kind, string? workspaceId, string addedBy, long now, CancellationToken c)
    {
        if (!await Db.RoomMembers.AnyAsync(m => m.RoomId == roomId && m.MemberId == memberId, c))
        {
            Db.RoomMembers.Add(new RoomMember
            {
                RoomId = roomId, MemberId = memberId, Kind = kind, Role = RoomRole.Member, WorkspaceId = workspaceId, AddedBy = addedBy, JoinedAt = now,
            });
        }
    }

    /// <summary>The invited person or the invited agent's owner declines; a room admin withdraws it.</summary>
    public async Task DeclineAsync(Caller caller, string inviteId, CancellationToken ct)
    {
        var invite = await Addressed(caller).FirstOrDefaultAsync(i => i.Id == inviteId, ct);
        if (invite is null)
        {
            var sent = await Db.RoomInvites.AsNoTracking().FirstOrDefaultAsync(i => i.Id == inviteId && i.Status == InviteStatus.Pending, ct);
            if (sent is null || !await IsRoomAdminAsync(caller, sent.RoomId, ct))
            {
                throw new ApiException(ErrorCodes.NotFound, "No such invitation.");
            }
        }
        var now = time.NowMs();
        var changed = await writes.RunAsync(c => Db.RoomInvites.Where(i => i.Id == inviteId && i.Status == InviteStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, InviteStatus.Declined).SetProperty(i => i.DecidedBy, caller.Id)
                .SetProperty(i => i.DecidedAt, now), c), ct);
        if (changed == 0)
        {
            throw new ApiException(ErrorCodes.NotFound, "No such invitation.");
        }
    }

    private async Task<bool> IsRoomAdminAsync(Caller caller, string roomId, CancellationToken ct)
    {
        try
        {
            return (await access.OpenAsync(caller, roomId, ct)).IsAdmin;
        }
        catch (ApiException e) when (e.Code == ErrorCodes.NotFound)
        {
            return false;
        }
    }

    /// <summary>An owner withdraws its workspace's grant: its agents stay members but can no longer be assigned across owners.</summary>
    public async Task WithdrawGrantAsync(Caller caller, string roomId, string? namedWorkspace, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsurePerson();
        var workspace = await AdministeredWorkspaceAsync(caller, namedWorkspace, ct);
        var now = time.NowMs();
        var withdrawn = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Room(roomId));
            return await Db.RoomGrants.Where(g => g.RoomId == roomId && g.WorkspaceId == workspace && g.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.RevokedAt, now), c);
        }, ct);
        if (withdrawn == 0)
        {
            throw new ApiException(ErrorCodes.NotFound, "Your workspace holds no grant in this room.");
        }
    }

    /// <summary>Sets how the caller's workspace decides cross-owner tasks for its agents in this room.</summary>
    public async Task<ConsentView> SetConsentAsync(Caller caller, string roomId, ConsentRequest request, string? namedWorkspace, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsurePerson();
        var v = new Validator();
        var mode = v.Required("mode", request.Mode);
        v.OneOf("mode", request.Mode, ConsentMode.TaskByTask, ConsentMode.ApproveAll, ConsentMode.TrustCollaborator, ConsentMode.TrustRoom);
        string? collaborator = null;
        if (mode == ConsentMode.TrustCollaborator)
        {
            collaborator = v.Required("collaborator", request.Collaborator).Trim();
            if (collaborator.Length > 0 && !await WorkspaceQueries.ExistsAsync(Db, collaborator, ct))
            {
                v.Add("collaborator", "must be the id of a workspace");
            }
        }
        v.ThrowIfInvalid();
        var workspace = await AdministeredWorkspaceAsync(caller, namedWorkspace, ct);
        await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Room(roomId));
            var consent = await Db.RoomConsents.FirstOrDefaultAsync(x => x.RoomId == roomId && x.WorkspaceId == workspace, c);
            if (consent is null)
            {
                consent = new RoomConsent { RoomId = roomId, WorkspaceId = workspace, Mode = mode, UpdatedBy = caller.Id };
                Db.RoomConsents.Add(consent);
            }
            consent.Mode = mode;
            consent.CollaboratorWorkspaceId = collaborator;
            consent.UpdatedBy = caller.Id;
            consent.UpdatedAt = time.NowMs();
        }, ct);
        return new ConsentView(roomId, workspace, mode, collaborator);
    }

    /// <summary>The caller's workspace (resolved as for every route that needs one), which they must own or administer.</summary>
    private async Task<string> AdministeredWorkspaceAsync(Caller caller, string? named, CancellationToken ct)
    {
        var resolved = await workspaces.ResolveAsync(caller, named, ct);
        if (Roles.Rank(resolved.Role) < Roles.Rank(Roles.Admin))
        {
            throw new ApiException(ErrorCodes.PermissionDenied, "This needs the 'admin' role in the workspace.",
                ApiErrors.Details(("required_role", Roles.Admin)));
        }
        return resolved.Workspace.Id;
    }
}
