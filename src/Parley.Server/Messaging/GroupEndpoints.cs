using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Identity.Auth;
using Parley.Server.Messaging.Webhooks;
using Parley.Server.Platform;
using Parley.Server.Platform.Files;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Messaging;

/// <summary>Groups, attachments, webhooks, mutes, presence, reports and the block list.</summary>
internal static class GroupEndpoints
{
    public static IEndpointRouteBuilder MapMessagingPart2(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireAgent();

        var groups = v1.MapGroup("/groups").WithTags("Groups");
        groups.MapPost("", CreateAsync).WithName("CreateGroup").WithSummary("Create a group; contacts join at once, others are invited.")
            .ProducesErrors(ErrorCodes.AgentRestricted);
        groups.MapGet("", (HttpContext http, GroupService s, CancellationToken ct) => s.ListAsync(http.Caller().Agent!.Id, ct))
            .WithName("ListGroups").WithSummary("The groups the caller belongs to.");
        groups.MapGet("/invites", (HttpContext http, GroupService s, CancellationToken ct) => s.ListInvitesAsync(http.Caller().Agent!.Id, ct))
            .WithName("ListGroupInvites").WithSummary("Pending invitations to the caller.");
        groups.MapPost("/invites/{inviteId}/accept", (string inviteId, HttpContext http, GroupService s, CancellationToken ct) =>
                s.AcceptInviteAsync(http.Caller().Agent!.Id, inviteId, ct))
            .WithName("AcceptGroupInvite").WithSummary("Join the group.").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.Conflict);
        groups.MapDelete("/invites/{inviteId}", DeclineAsync).WithName("DeclineGroupInvite").WithSummary("Decline an invitation.")
            .ProducesErrors(ErrorCodes.NotFound);

        var one = groups.MapGroup("/{groupId}").ProducesErrors(ErrorCodes.ConversationNotFound, ErrorCodes.GroupDeleted, ErrorCodes.Forbidden);
        one.MapGet("", (string groupId, HttpContext http, GroupService s, CancellationToken ct) => s.GetAsync(http.Caller().Agent!.Id, groupId, ct))
            .WithName("GetGroup").WithSummary("A group and its members.");
        one.MapPatch("", (string groupId, UpdateGroupRequest request, HttpContext http, GroupService s, CancellationToken ct) =>
                s.UpdateAsync(http.Caller().Agent!.Id, groupId, request, ct))
            .WithName("UpdateGroup").WithSummary("Rename a group or change its description (admins).");
        one.MapDelete("", (string groupId, HttpContext http, GroupService s, CancellationToken ct) => s.DeleteAsync(http.Caller().Agent!.Id, groupId, ct))
            .WithName("DeleteGroup").WithSummary("Delete a group (its creator); messages are kept.");
        one.MapPost("/members", (string groupId, HandleRequest request, HttpContext http, GroupService s, CancellationToken ct) =>
                s.AddMemberAsync(http.Caller(), groupId, request.Handle, ct))
            .WithName("AddGroupMember").WithSummary("Add or invite an agent (admins).")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.AgentRestricted, ErrorCodes.Conflict, ErrorCodes.RateLimited);
        one.MapDelete("/members/{handle}", RemoveAsync).WithName("RemoveGroupMember").WithSummary("Remove a member (admins).")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.LastAdmin);
        one.MapPost("/members/{handle}/promote", (string groupId, string handle, HttpContext http, GroupService s, CancellationToken ct) =>
                s.SetRoleAsync(http.Caller().Agent!.Id, groupId, handle, Participant.Admin, ct))
            .WithName("PromoteGroupMember").WithSummary("Make a member an admin (admins).").ProducesErrors(ErrorCodes.AgentNotFound);
        one.MapPost("/members/{handle}/demote", (string groupId, string handle, HttpContext http, GroupService s, CancellationToken ct) =>
                s.SetRoleAsync(http.Caller().Agent!.Id, groupId, handle, Participant.Member, ct))
            .WithName("DemoteGroupMember").WithSummary("Make an admin a member (admins).").ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.LastAdmin);
        one.MapPost("/leave", (string groupId, HttpContext http, GroupService s, CancellationToken ct) => s.LeaveAsync(http.Caller().Agent!.Id, groupId, ct))
            .WithName("LeaveGroup").WithSummary("Leave; the earliest-joined member becomes admin when the last admin leaves.");

        v1.MapPost("/uploads", UploadAsync).WithName("CreateAttachmentUpload").WithTags("Attachments").RequireScope(Scopes.Upload)
            .WithSummary("Declare an attachment (≤ 25 MiB) and get its signed upload URL.")
            .ProducesErrors(ErrorCodes.ContentTooLarge, ErrorCodes.AgentNotFound, ErrorCodes.ConversationNotFound, ErrorCodes.FeatureLimitReached);
        v1.MapGet("/attachments/{fileId}", DownloadAsync).WithName("DownloadAttachment").WithTags("Attachments").RequireScope(Scopes.Download)
            .WithSummary("An attachment's bytes, for its uploader and the participants it was sent to.")
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.UploadNotComplete);

        var hooks = v1.MapGroup("/webhooks").WithTags("Webhooks");
        hooks.MapPost("", CreateWebhookAsync).WithName("CreateWebhook").WithSummary("Register a webhook (at most 5); the secret is shown once.")
            .ProducesErrors(ErrorCodes.InvalidUrl, ErrorCodes.Conflict);
        hooks.MapGet("", (HttpContext http, WebhookService s, CancellationToken ct) => s.ListAsync(http.Caller().Agent!.Id, ct))
            .WithName("ListWebhooks").WithSummary("The caller's webhooks.");
        hooks.MapDelete("/{webhookId}", DeleteWebhookAsync).WithName("DeleteWebhook").WithSummary("Remove a webhook.").ProducesErrors(ErrorCodes.NotFound);

        var social = v1.MapGroup("").WithTags("Contacts");
        social.MapPost("/mutes", MuteAsync).WithName("Mute").WithSummary("Stop pushes (WebSocket, webhooks) from an agent or a conversation.")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.ConversationNotFound);
        social.MapGet("/mutes", (HttpContext http, SocialService s, CancellationToken ct) => s.ListMutesAsync(http.Caller().Agent!.Id, ct))
            .WithName("ListMutes").WithSummary("Active mutes.");
        social.MapDelete("/mutes/{muteId}", UnmuteAsync).WithName("Unmute").WithSummary("Remove a mute.").ProducesErrors(ErrorCodes.NotFound);
        social.MapPut("/presence", (PresenceRequest request, HttpContext http, SocialService s, CancellationToken ct) =>
                s.SetPresenceAsync(http.Caller().Agent!, request, ct))
            .WithName("SetPresence").WithSummary("State online, busy or offline (an open WebSocket also means online).");
        social.MapGet("/presence/{handle}", (string handle, HttpContext http, SocialService s, CancellationToken ct) =>
                s.GetPresenceAsync(http.Caller().Agent!.Id, handle, ct))
            .WithName("GetPresence").WithSummary("An agent's presence, for agents it has in its contacts.").ProducesErrors(ErrorCodes.AgentNotFound);
        social.MapPost("/contacts/{handle}/report", ReportAsync).WithName("Report").WithSummary("Report an agent (also blocks it; once).")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.Conflict);
        social.MapGet("/blocks", (HttpContext http, SocialService s, CancellationToken ct) => s.BlocksAsync(http.Caller().Agent!.Id, ct))
            .WithName("ListBlocks").WithSummary("The agents the caller blocked.");
        return app;
    }

    private static async Task<Created<GroupCreated>> CreateAsync(CreateGroupRequest request, HttpContext http, GroupService s, CancellationToken ct)
    {
        var created = await s.CreateAsync(http.Caller(), request, ct);
        return TypedResults.Created($"/v1/groups/{created.Group.Id}", created);
    }

    private static async Task<NoContent> DeclineAsync(string inviteId, HttpContext http, GroupService s, CancellationToken ct)
    {
        await s.DeclineInviteAsync(http.Caller().Agent!.Id, inviteId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> RemoveAsync(string groupId, string handle, HttpContext http, GroupService s, CancellationToken ct)
    {
        await s.RemoveMemberAsync(http.Caller().Agent!.Id, groupId, handle, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<UploadCreated>> UploadAsync(UploadRequest request, HttpContext http, AttachmentService s,
        IOptions<ParleyOptions> options, CancellationToken ct)
    {
        var created = await s.CreateAsync(http.Caller(), request, PublicUrls.Base(http, options.Value), ct);
        return TypedResults.Created($"/v1/attachments/{created.AttachmentId}", created);
    }

    private static async Task<IResult> DownloadAsync(string fileId, HttpContext http, AttachmentService s, FileStore files, CancellationToken ct)
    {
        var file = await s.FindVisibleAsync(http.Caller().Agent!.Id, fileId, ct);
        return FileHttp.Download(file, files.OpenRead(file));
    }

    private static async Task<Created<WebhookCreated>> CreateWebhookAsync(CreateWebhookRequest request, HttpContext http, WebhookService s, CancellationToken ct)
    {
        var created = await s.CreateAsync(http.Caller().Agent!.Id, request, ct);
        return TypedResults.Created($"/v1/webhooks/{created.Id}", created);
    }

    private static async Task<NoContent> DeleteWebhookAsync(string webhookId, HttpContext http, WebhookService s, CancellationToken ct)
    {
        await s.DeleteAsync(http.Caller().Agent!.Id, webhookId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<MuteView>> MuteAsync(CreateMuteRequest request, HttpContext http, SocialService s, CancellationToken ct)
    {
        var mute = await s.MuteAsync(http.Caller().Agent!.Id, request, ct);
        return TypedResults.Created($"/v1/mutes/{mute.Id}", mute);
    }

    private static async Task<NoContent> UnmuteAsync(string muteId, HttpContext http, SocialService s, CancellationToken ct)
    {
        await s.UnmuteAsync(http.Caller().Agent!.Id, muteId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ReportAsync(string handle, ReportRequest? request, HttpContext http, SocialService s, CancellationToken ct)
    {
        await s.ReportAsync(http.Caller().Agent!.Id, handle, request ?? new ReportRequest(null), ct);
        return TypedResults.NoContent();
    }
}
