using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Rooms.Membership;

/// <summary>Rooms, their members, invitations, grants and consent.</summary>
internal static class RoomEndpoints
{
    public static IEndpointRouteBuilder MapMembership(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/v1/rooms").WithTags("Rooms").RequireOwnerOrAgent();
        rooms.MapPost("", CreateAsync).WithName("CreateRoom").RateLimited("room-write")
            .WithSummary("Create a room owned by the caller's workspace (201).")
            .ProducesErrors(ErrorCodes.WorkspaceHeaderRequired, ErrorCodes.WorkspaceNotFound, ErrorCodes.FeatureLimitReached, ErrorCodes.Forbidden);
        rooms.MapGet("", ListAsync).WithName("ListRooms").WithSummary("Rooms the caller (or, for a person, their agents) belongs to.").RateLimited("room-read");

        var room = rooms.MapGroup("/{roomId}").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        room.MapGet("", GetAsync).WithName("GetRoom").WithSummary("One room.").RateLimited("room-read");
        room.MapPatch("", UpdateAsync).WithName("UpdateRoom")
            .WithSummary("Rename, or change the status (room admins): pausing stops lease clocks, stopping ends leases.")
            .RateLimited("room-write").ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied);

        room.MapGet("/members", MembersAsync).WithName("ListRoomMembers").WithSummary("People and agents of the room.").RateLimited("room-read");
        room.MapPost("/members", AddMemberAsync).WithName("AddRoomMember")
            .WithSummary("Add an agent or person of the room's own workspace (room admins).").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied, ErrorCodes.AgentNotFound, ErrorCodes.MemberNotFound);
        room.MapPatch("/members/{memberId}", UpdateMemberAsync).WithName("UpdateRoomMember").WithSummary("Change a person's room role (room admins).")
            .RateLimited("room-write").ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied);
        room.MapDelete("/members/{memberId}", RemoveMemberAsync).WithName("RemoveRoomMember")
            .WithSummary("Remove a member (room admins), or leave. An agent that goes loses its leases and assignments.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied);

        room.MapPost("/invites", CreateInviteAsync).WithName("CreateRoomInvite")
            .WithSummary("Invite an agent by plate (its owner accepts) or a person by email; one-time, 7 days (room admins).").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied, ErrorCodes.AgentNotFound, ErrorCodes.Conflict, ErrorCodes.UpgradeRequired);
        room.MapDelete("/grant", WithdrawGrantAsync).WithName("WithdrawRoomGrant")
            .WithSummary("Withdraw your workspace's cross-owner grant in this room; its agents stay members.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.Forbidden, ErrorCodes.PermissionDenied, ErrorCodes.WorkspaceHeaderRequired, ErrorCodes.WorkspaceNotFound);
        room.MapPut("/consent", SetConsentAsync).WithName("SetRoomConsent")
            .WithSummary("How your workspace decides cross-owner tasks for its agents in this room.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.Forbidden, ErrorCodes.PermissionDenied, ErrorCodes.WorkspaceHeaderRequired, ErrorCodes.WorkspaceNotFound);

        var invites = app.MapGroup("/v1/invites").WithTags("Rooms").RequireOwner();
        invites.MapGet("", ListInvitesAsync).WithName("ListRoomInvites").WithSummary("Pending room invitations to you or to agents you own.")
            .RateLimited("room-read");
        invites.MapPost("/{inviteId}/accept", AcceptInviteAsync).WithName("AcceptRoomInvite")
            .WithSummary("Accept once: an agent's invitation adds it and you, and grants cross-owner consent.")
            .RateLimited("room-write").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.UpgradeRequired);
        invites.MapDelete("/{inviteId}", DeclineInviteAsync).WithName("DeclineRoomInvite")
            .WithSummary("Decline (the invitee), or withdraw (a room admin).").RateLimited("room-write").ProducesErrors(ErrorCodes.NotFound);
        return app;
    }

    private static async Task<Created<RoomView>> CreateAsync(CreateRoomRequest request, Caller caller, HttpContext http, RoomService s, CancellationToken ct)
    {
        var room = await s.CreateAsync(caller, request, WorkspaceHeader.Named(http, request.WorkspaceId), ct);
        return TypedResults.Created($"/v1/rooms/{room.Id}", room);
    }

    private static async Task<Ok<Page<RoomView>>> ListAsync([Range(1, Paging.MaxLimit)] int? limit, string? cursor, Caller caller, RoomService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller, limit, cursor, ct));

    private static async Task<Ok<RoomView>> GetAsync(string roomId, Caller caller, RoomService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(caller, roomId, ct));

    private static async Task<Ok<RoomView>> UpdateAsync(string roomId, UpdateRoomRequest request, Caller caller, RoomService s, CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateAsync(caller, roomId, request, ct));

    private static async Task<Ok<Page<RoomMemberView>>> MembersAsync(string roomId, Caller caller, RoomService s, CancellationToken ct) =>
        TypedResults.Ok(await s.MembersAsync(caller, roomId, ct));

    private static async Task<Results<Created<RoomMemberView>, Ok<RoomMemberView>>> AddMemberAsync(string roomId, AddRoomMemberRequest request,
        Caller caller, RoomService s, CancellationToken ct)
    {
        var (member, added) = await s.AddMemberAsync(caller, roomId, request, ct);
        return added ? TypedResults.Created($"/v1/rooms/{roomId}/members/{member.Id}", member) : TypedResults.Ok(member);
    }

    private static async Task<Ok<RoomMemberView>> UpdateMemberAsync(string roomId, string memberId, UpdateRoomMemberRequest request, Caller caller,
        RoomService s, CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateMemberAsync(caller, roomId, memberId, request, ct));

    private static async Task<NoContent> RemoveMemberAsync(string roomId, string memberId, Caller caller, RoomService s, CancellationToken ct)
    {
        await s.RemoveMemberAsync(caller, roomId, memberId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<RoomInviteCreated>> CreateInviteAsync(string roomId, CreateRoomInviteRequest request, Caller caller,
        RoomInviteService s, CancellationToken ct)
    {
        var created = await s.CreateAsync(caller, roomId, request, ct);
        return TypedResults.Created($"/v1/invites/{created.Invite.Id}", created);
    }

    private static async Task<NoContent> WithdrawGrantAsync(string roomId, string? workspace_id, Caller caller, HttpContext http, RoomInviteService s,
        CancellationToken ct)
    {
        await s.WithdrawGrantAsync(caller, roomId, WorkspaceHeader.Named(http, workspace_id), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ConsentView>> SetConsentAsync(string roomId, ConsentRequest request, Caller caller, HttpContext http,
        RoomInviteService s, CancellationToken ct) =>
        TypedResults.Ok(await s.SetConsentAsync(caller, roomId, request, WorkspaceHeader.Named(http, request.WorkspaceId), ct));

    private static async Task<Ok<Page<RoomInviteView>>> ListInvitesAsync(Caller caller, RoomInviteService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller, ct));

    private static async Task<Ok<RoomInviteAccepted>> AcceptInviteAsync(string inviteId, Caller caller, RoomInviteService s, CancellationToken ct) =>
        TypedResults.Ok(await s.AcceptAsync(caller, inviteId, ct));

    private static async Task<NoContent> DeclineInviteAsync(string inviteId, Caller caller, RoomInviteService s, CancellationToken ct)
    {
        await s.DeclineAsync(caller, inviteId, ct);
        return TypedResults.NoContent();
    }
}
