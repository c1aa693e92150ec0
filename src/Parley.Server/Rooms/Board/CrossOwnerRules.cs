using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Rooms.Membership;

namespace Parley.Server.Rooms.Board;

internal sealed record Assignment(string? AgentId, string Consent);

/// <summary>
/// When one owner makes another owner's agent act. Assigning an agent of another workspace needs the acting
/// credential's <c>invoke</c> scope (<c>FORBIDDEN_SCOPE</c>) and, unless that workspace owns the room, its active grant
/// in the room (<c>NO_GRANT</c>). The task's consent then follows that workspace's consent mode for the room.
/// </summary>
internal sealed class CrossOwnerRules(ParleyDb db, RoomAccess access)
{
    public static ApiException NoGrant(string? ownerId, string roomId) =>
        new(ErrorCodes.NoGrant, "The agent's owner has not granted cross-owner work in this room.",
            ApiErrors.Details(("owner_id", ownerId), ("room_id", roomId)));

    /// <summary>Resolves and checks an assignee; null assigns nobody.</summary>
    public async Task<Assignment> AssignAsync(RoomScope scope, string? name, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return new Assignment(null, TaskConsent.Auto);
        }
        var agent = await AgentQueries.ByNameAsync(db, name, ct);
        if (agent is null || !await db.RoomMembers.AsNoTracking().AnyAsync(m => m.RoomId == scope.Room.Id && m.MemberId == agent.Id, ct))
        {
            throw ApiErrors.Validation("assignee", "must be an agent that is a member of this room");
        }
        var workspaceId = agent.OwnerWorkspaceId;
        if (agent.Id == scope.Caller.Id || await access.IsSameOwnerAsync(scope.Caller, workspaceId, ct))
        {
            return new Assignment(agent.Id, TaskConsent.Auto);
        }
        if (!scope.Caller.HasScope(Scopes.Invoke))
        {
            throw new ApiException(ErrorCodes.ForbiddenScope, "Assigning another owner's agent needs the 'invoke' scope.",
                ApiErrors.Details(("required_scope", Scopes.Invoke)));
        }
        if (workspaceId == scope.Room.OwnerWorkspaceId)
        {
            return new Assignment(agent.Id, TaskConsent.Auto);
        }
        if (workspaceId is null || !await HasGrantAsync(scope.Room.Id, workspaceId, ct))
        {
            throw NoGrant(workspaceId, scope.Room.Id);
        }
        return new Assignment(agent.Id, await ConsentForAsync(scope, workspaceId, ct));
    }

    public Task<bool> HasGrantAsync(string roomId, string workspaceId, CancellationToken ct) =>
        db.RoomGrants.AsNoTracking().AnyAsync(g => g.RoomId == roomId && g.WorkspaceId == workspaceId && g.RevokedAt == null, ct);

    private async Task<string> ConsentForAsync(RoomScope scope, string workspaceId, CancellationToken ct)
    {
        var consent = await db.RoomConsents.AsNoTracking().FirstOrDefaultAsync(c => c.RoomId == scope.Room.Id && c.WorkspaceId == workspaceId, ct);
        return consent?.Mode switch
        {
            ConsentMode.ApproveAll or ConsentMode.TrustRoom => TaskConsent.Accepted,
            ConsentMode.TrustCollaborator when consent.CollaboratorWorkspaceId is { } trusted
                && await access.ActingWorkspaceAsync(scope, ct) == trusted => TaskConsent.Accepted,
            _ => TaskConsent.Pending,
        };
    }
}
