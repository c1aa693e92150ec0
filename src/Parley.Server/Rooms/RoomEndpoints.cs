using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Rooms;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;

namespace Parley.Server.Rooms;

/// <summary>Rooms, members, invitations, grants and consent, the thread and mentions. Handlers translate HTTP to service calls.</summary>
internal static class RoomEndpoints
{
    public static IEndpointRouteBuilder MapRoomRoutes(this IEndpointRouteBuilder app)
    {
        var rooms = app.MapGroup("/v1/rooms").WithTags("Rooms").RequireOwnerOrAgent();
        rooms.MapPost("", CreateAsync).WithName("CreateRoom").RateLimited("room-write")
            .WithSummary("Create a room owned by the caller's workspace (201).")
            .ProducesErrors(ErrorCodes.WorkspaceHeaderRequired, ErrorCodes.WorkspaceNotFound, ErrorCodes.FeatureLimitReached, ErrorCodes.Forbidden);
        rooms.MapGet("", (int? limit, string? cursor, HttpContext http, RoomService s, CancellationToken ct) => s.ListAsync(http.Caller(), limit, cursor, ct))
            .WithName("ListRooms").WithSummary("Rooms the caller (or, for a person, their agents) belongs to.").RateLimited("room-read");

        var room = rooms.MapGroup("/{roomId}").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        room.MapGet("", (string roomId, HttpContext http, RoomService s, CancellationToken ct) => s.GetAsync(http.Caller(), roomId, ct))
            .WithName("GetRoom").WithSummary("One room.").RateLimited("room-read");
        room.MapPatch("", (string roomId, UpdateRoomRequest request, HttpContext http, RoomService s, CancellationToken ct) =>
                s.UpdateAsync(http.Caller(), roomId, request, ct))
            .WithName("UpdateRoom").WithSummary("Rename, or change the status (room admins): pausing stops lease clocks, stopping ends leases.")
            .RateLimited("room-write").ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied);

        room.MapGet("/members", (string roomId, HttpContext http, RoomService s, CancellationToken ct) => s.MembersAsync(http.Caller(), roomId, ct))
            .WithName("ListRoomMembers").WithSummary("People and agents of the room.").RateLimited("room-read");
        room.MapPost("/members", AddMemberAsync).WithName("AddRoomMember")
            .WithSummary("Add an agent or person of the room's own workspace (room admins).").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied, ErrorCodes.AgentNotFound, ErrorCodes.MemberNotFound);
        room.MapPatch("/members/{memberId}", (string roomId, string memberId, UpdateRoomMemberRequest request, HttpContext http, RoomService s,
                CancellationToken ct) => s.UpdateMemberAsync(http.Caller(), roomId, memberId, request, ct))
            .WithName("UpdateRoomMember").WithSummary("Change a person's room role (room admins).").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied);
        room.MapDelete("/members/{memberId}", RemoveMemberAsync).WithName("RemoveRoomMember")
            .WithSummary("Remove a member (room admins), or leave. An agent that goes loses its leases and assignments.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied);

        room.MapPost("/invites", CreateInviteAsync).WithName("CreateRoomInvite")
            .WithSummary("Invite an agent by plate (its owner accepts) or a person by email; one-time, 7 days (room admins).").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.PermissionDenied, ErrorCodes.AgentNotFound, ErrorCodes.Conflict, ErrorCodes.UpgradeRequired);
        room.MapDelete("/grant", WithdrawGrantAsync).WithName("WithdrawRoomGrant")
            .WithSummary("Withdraw your workspace's cross-owner grant in this room; its agents stay members.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.Forbidden, ErrorCodes.PermissionDenied, ErrorCodes.WorkspaceHeaderRequired, ErrorCodes.WorkspaceNotFound);
        room.MapPut("/consent", (string roomId, ConsentRequest request, HttpContext http, RoomInviteService s, CancellationToken ct) =>
                s.SetConsentAsync(http.Caller(), roomId, request, WorkspaceResolver.Named(http, request.WorkspaceId), ct))
            .WithName("SetRoomConsent").WithSummary("How your workspace decides cross-owner tasks for its agents in this room.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.Forbidden, ErrorCodes.PermissionDenied, ErrorCodes.WorkspaceHeaderRequired, ErrorCodes.WorkspaceNotFound);

        room.MapPost("/messages", PostMessageAsync).WithName("PostRoomMessage")
            .WithSummary("Post to the room's thread (201); mentions name member agents.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.ContentTooLarge);
        room.MapGet("/messages", (string roomId, int? limit, long? before_seq, long? after_seq, HttpContext http, RoomMessageService s, CancellationToken ct) =>
                s.HistoryAsync(http.Caller(), roomId, limit, before_seq, after_seq, ct))
            .WithName("RoomHistory").WithSummary("The thread, ascending by seq.").RateLimited("room-read");

        var invites = app.MapGroup("/v1/invites").WithTags("Rooms").RequireOwner();
        invites.MapGet("", (HttpContext http, RoomInviteService s, CancellationToken ct) => s.ListAsync(http.Caller(), ct))
            .WithName("ListRoomInvites").WithSummary("Pending room invitations to you or to agents you own.").RateLimited("room-read");
        invites.MapPost("/{inviteId}/accept", (string inviteId, HttpContext http, RoomInviteService s, CancellationToken ct) =>
                s.AcceptAsync(http.Caller(), inviteId, ct))
            .WithName("AcceptRoomInvite").WithSummary("Accept once: an agent's invitation adds it and you, and grants cross-owner consent.")
            .RateLimited("room-write").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.UpgradeRequired);
        invites.MapDelete("/{inviteId}", DeclineInviteAsync).WithName("DeclineRoomInvite")
            .WithSummary("Decline (the invitee), or withdraw (a room admin).").RateLimited("room-write").ProducesErrors(ErrorCodes.NotFound);

        var mentions = app.MapGroup("/v1/mentions").WithTags("Rooms").RequireAgent();
        mentions.MapGet("", (string? room, long? since_seq, int? limit, string? cursor, HttpContext http, RoomMessageService s, CancellationToken ct) =>
                s.MentionsAsync(http.Caller(), room, since_seq, limit, cursor, ct))
            .WithName("ListMentions").WithSummary("The calling agent's unacknowledged mentions, oldest first.").RateLimited("room-read")
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        mentions.MapPost("/ack", (AckMentionsRequest request, HttpContext http, RoomMessageService s, CancellationToken ct) =>
                s.AckAsync(http.Caller(), request, ct))
            .WithName("AckMentions").WithSummary("Acknowledge mentions; counts only those not acknowledged before.").RequireScope(Scopes.Read)
            .RateLimited("room-write").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        return app;
    }

    private static async Task<Created<RoomView>> CreateAsync(CreateRoomRequest request, HttpContext http, RoomService s, CancellationToken ct)
    {
        var room = await s.CreateAsync(http.Caller(), request, WorkspaceResolver.Named(http, request.WorkspaceId), ct);
        return TypedResults.Created($"/v1/rooms/{room.Id}", room);
    }

    private static async Task<Results<Created<RoomMemberView>, Ok<RoomMemberView>>> AddMemberAsync(string roomId, AddRoomMemberRequest request,
        HttpContext http, RoomService s, CancellationToken ct)
    {
        var (member, added) = await s.AddMemberAsync(http.Caller(), roomId, request, ct);
        return added ? TypedResults.Created($"/v1/rooms/{roomId}/members/{member.Id}", member) : TypedResults.Ok(member);
    }

    private static async Task<NoContent> RemoveMemberAsync(string roomId, string memberId, HttpContext http, RoomService s, CancellationToken ct)
    {
        await s.RemoveMemberAsync(http.Caller(), roomId, memberId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<RoomInviteCreated>> CreateInviteAsync(string roomId, CreateRoomInviteRequest request, HttpContext http,
        RoomInviteService s, CancellationToken ct)
    {
        var created = await s.CreateAsync(http.Caller(), roomId, request, ct);
        return TypedResults.Created($"/v1/invites/{created.Invite.Id}", created);
    }

    private static async Task<NoContent> WithdrawGrantAsync(string roomId, string? workspace_id, HttpContext http, RoomInviteService s, CancellationToken ct)
    {
        await s.WithdrawGrantAsync(http.Caller(), roomId, WorkspaceResolver.Named(http, workspace_id), ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeclineInviteAsync(string inviteId, HttpContext http, RoomInviteService s, CancellationToken ct)
    {
        await s.DeclineAsync(http.Caller(), inviteId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<RoomMessageView>> PostMessageAsync(string roomId, PostRoomMessageRequest request, HttpContext http,
        RoomMessageService s, CancellationToken ct)
    {
        var message = await s.PostAsync(http.Caller(), roomId, request, ct);
        return TypedResults.Created($"/v1/rooms/{roomId}/messages?after_seq={message.Seq - 1}", message);
    }
}
