using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;
using Parley.Server.Identity.Auth;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Messaging.Groups;

/// <summary>Groups: creation, members and roles, invitations, leaving, deletion (their messages go through <c>POST /v1/messages</c>).</summary>
internal static class GroupEndpoints
{
    public static IEndpointRouteBuilder MapGroups(this IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/v1").RequireAgent().MapGroup("/groups").WithTags("Groups");
        groups.MapPost("", CreateAsync).WithName("CreateGroup").WithSummary("Create a group; contacts join at once, others are invited.")
            .ProducesErrors(ErrorCodes.AgentRestricted);
        groups.MapGet("", ListAsync).WithName("ListGroups").WithSummary("The groups the caller belongs to.");
        groups.MapGet("/invites", ListInvitesAsync).WithName("ListGroupInvites").WithSummary("Pending invitations to the caller.");
        groups.MapPost("/invites/{inviteId}/accept", AcceptInviteAsync).WithName("AcceptGroupInvite").WithSummary("Join the group.")
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.Conflict);
        groups.MapDelete("/invites/{inviteId}", DeclineAsync).WithName("DeclineGroupInvite").WithSummary("Decline an invitation.")
            .ProducesErrors(ErrorCodes.NotFound);

        var one = groups.MapGroup("/{groupId}").ProducesErrors(ErrorCodes.ConversationNotFound, ErrorCodes.GroupDeleted, ErrorCodes.Forbidden);
        one.MapGet("", GetAsync).WithName("GetGroup").WithSummary("A group and its members.");
        one.MapPatch("", UpdateAsync).WithName("UpdateGroup").WithSummary("Rename a group or change its description (admins).");
        one.MapDelete("", DeleteAsync).WithName("DeleteGroup").WithSummary("Delete a group (its creator); messages are kept.");
        one.MapPost("/members", AddMemberAsync).WithName("AddGroupMember").WithSummary("Add or invite an agent (admins).")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.AgentRestricted, ErrorCodes.Conflict, ErrorCodes.RateLimited);
        one.MapDelete("/members/{handle}", RemoveAsync).WithName("RemoveGroupMember").WithSummary("Remove a member (admins).")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.LastAdmin);
        one.MapPost("/members/{handle}/promote", PromoteAsync).WithName("PromoteGroupMember").WithSummary("Make a member an admin (admins).")
            .ProducesErrors(ErrorCodes.AgentNotFound);
        one.MapPost("/members/{handle}/demote", DemoteAsync).WithName("DemoteGroupMember").WithSummary("Make an admin a member (admins).")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.LastAdmin);
        one.MapPost("/leave", LeaveAsync).WithName("LeaveGroup")
            .WithSummary("Leave; the earliest-joined member becomes admin when the last admin leaves.");
        return app;
    }

    private static async Task<Created<GroupCreated>> CreateAsync(CreateGroupRequest request, Caller caller, GroupService s, CancellationToken ct)
    {
        var created = await s.CreateAsync(caller, request, ct);
        return TypedResults.Created($"/v1/groups/{created.Group.Id}", created);
    }

    private static async Task<Ok<Page<GroupView>>> ListAsync(Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller.Id, ct));

    private static async Task<Ok<Page<GroupInviteView>>> ListInvitesAsync(Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListInvitesAsync(caller.Id, ct));

    private static async Task<Ok<GroupView>> AcceptInviteAsync(string inviteId, Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.AcceptInviteAsync(caller.Id, inviteId, ct));

    private static async Task<NoContent> DeclineAsync(string inviteId, Caller caller, GroupService s, CancellationToken ct)
    {
        await s.DeclineInviteAsync(caller.Id, inviteId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<GroupView>> GetAsync(string groupId, Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(caller.Id, groupId, ct));

    private static async Task<Ok<GroupView>> UpdateAsync(string groupId, UpdateGroupRequest request, Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateAsync(caller.Id, groupId, request, ct));

    private static async Task<Ok<GroupDeletedResult>> DeleteAsync(string groupId, Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.DeleteAsync(caller.Id, groupId, ct));

    private static async Task<Ok<AddResult>> AddMemberAsync(string groupId, HandleRequest request, Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.AddMemberAsync(caller, groupId, request.Handle, ct));

    private static async Task<NoContent> RemoveAsync(string groupId, string handle, Caller caller, GroupService s, CancellationToken ct)
    {
        await s.RemoveMemberAsync(caller.Id, groupId, handle, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<GroupView>> PromoteAsync(string groupId, string handle, Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.SetRoleAsync(caller.Id, groupId, handle, Participant.Admin, ct));

    private static async Task<Ok<GroupView>> DemoteAsync(string groupId, string handle, Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.SetRoleAsync(caller.Id, groupId, handle, Participant.Member, ct));

    private static async Task<Ok<LeaveResult>> LeaveAsync(string groupId, Caller caller, GroupService s, CancellationToken ct) =>
        TypedResults.Ok(await s.LeaveAsync(caller.Id, groupId, ct));
}
