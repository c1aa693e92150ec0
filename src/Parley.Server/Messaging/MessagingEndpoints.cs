using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Messaging;

internal static class MessagingEndpoints
{
    public static IEndpointRouteBuilder MapMessaging(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Messaging").RequireAgent();

        // The send route checks the caller's status itself, after the client_msg_id lookup (the spec's order).
        v1.MapPost("/messages", SendAsync).WithName("SendMessage").AllowSuspended()
            .WithSummary("Send a direct message (201), or get the original back for a repeated client_msg_id (200).")
            .ProducesErrors(ErrorCodes.AgentSuspended, ErrorCodes.AgentPausedByOwner, ErrorCodes.RateLimited, ErrorCodes.ContentTooLarge,
                ErrorCodes.AgentNotFound, ErrorCodes.ConversationNotFound, ErrorCodes.Blocked, ErrorCodes.InboxRestricted, ErrorCodes.AgentRestricted,
                ErrorCodes.AwaitingReply, ErrorCodes.ColdCapExceeded, ErrorCodes.UploadNotComplete, ErrorCodes.RecipientBacklogged);
        v1.MapGet("/messages/sync", (string? after, int? limit, HttpContext http, DeliveryService s, CancellationToken ct) =>
                s.SyncAsync(http.Caller().Agent!.Id, after, limit, ct))
            .WithName("SyncMessages").WithSummary("Unacknowledged deliveries, oldest first (marks nothing).");
        v1.MapPost("/messages/sync/ack", (AckRequest request, HttpContext http, DeliveryService s, CancellationToken ct) =>
                s.AckAsync(http.Caller().Agent!.Id, request.LastDeliveryId, ct))
            .WithName("AckMessages").WithSummary("Acknowledge every delivery up to and including this one.").RequireScope(Scopes.Read);
        v1.MapGet("/conversations", (int? limit, string? cursor, HttpContext http, ConversationService s, CancellationToken ct) =>
                s.ListAsync(http.Caller().Agent!.Id, limit, cursor, ct))
            .WithName("ListConversations").WithSummary("The caller's conversations, newest activity first, with unread counts.");
        v1.MapGet("/messages/{conversationId}", (string conversationId, int? limit, long? before_seq, long? after_seq, HttpContext http,
                ConversationService s, CancellationToken ct) => s.HistoryAsync(http.Caller().Agent!.Id, conversationId, limit, before_seq, after_seq, ct))
            .WithName("ConversationHistory").WithSummary("History ascending by seq.").ProducesErrors(ErrorCodes.ConversationNotFound);
        v1.MapPost("/messages/{messageId}/read", (string messageId, HttpContext http, ConversationService s, CancellationToken ct) =>
                s.MarkReadAsync(http.Caller().Agent!.Id, messageId, ct))
            .WithName("MarkRead").WithSummary("Mark this message and every earlier one read; tells the sender.")
            .RequireScope(Scopes.Read).ProducesErrors(ErrorCodes.MessageNotFound);
        v1.MapDelete("/messages/{messageId}", HideAsync).WithName("HideMessage").WithSummary("Hide a message for the caller only.")
            .ProducesErrors(ErrorCodes.MessageNotFound);

        var contacts = v1.MapGroup("/contacts").WithTags("Contacts").ProducesErrors(ErrorCodes.AgentNotFound);
        contacts.MapPost("", AddContactAsync).WithName("AddContact").WithSummary("Add a contact (or update its notes).");
        contacts.MapGet("", (int? limit, int? offset, HttpContext http, ContactService s, CancellationToken ct) =>
                s.ListAsync(http.Caller().Agent!.Id, limit, offset, ct))
            .WithName("ListContacts").WithSummary("The caller's contacts.");
        contacts.MapGet("/{handle}", (string handle, HttpContext http, ContactService s, CancellationToken ct) => s.GetAsync(http.Caller().Agent!.Id, handle, ct))
            .WithName("GetContact").WithSummary("One contact.").ProducesErrors(ErrorCodes.NotFound);
        contacts.MapPatch("/{handle}", (string handle, UpdateContactRequest request, HttpContext http, ContactService s, CancellationToken ct) =>
                s.UpdateAsync(http.Caller().Agent!.Id, handle, request, ct))
            .WithName("UpdateContact").WithSummary("Edit a contact's private notes.").ProducesErrors(ErrorCodes.NotFound);
        contacts.MapDelete("/{handle}", RemoveContactAsync).WithName("RemoveContact").WithSummary("Remove a contact.").ProducesErrors(ErrorCodes.NotFound);
        contacts.MapPost("/{handle}/block", BlockAsync).WithName("Block").WithSummary("Block an agent (stops direct messages both ways).");
        contacts.MapDelete("/{handle}/block", UnblockAsync).WithName("Unblock").WithSummary("Lift a block.").ProducesErrors(ErrorCodes.NotFound);
        return app;
    }

    private static async Task<IResult> SendAsync(SendMessageRequest request, HttpContext http, SendService s, CancellationToken ct)
    {
        var result = await s.SendAsync(http, http.Caller(), request, ct);
        if (result.BacklogWarning is { } warning)
        {
            http.Response.Headers["X-Backlog-Warning"] = warning;
        }
        return result.Created
            ? TypedResults.Created($"/v1/messages/{result.Message.ConversationId}", result.Message)
            : TypedResults.Ok(result.Message);
    }

    private static async Task<NoContent> HideAsync(string messageId, HttpContext http, ConversationService s, CancellationToken ct)
    {
        await s.HideAsync(http.Caller().Agent!.Id, messageId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> AddContactAsync(AddContactRequest request, HttpContext http, ContactService s, CancellationToken ct)
    {
        var (view, created) = await s.AddAsync(http.Caller().Agent!.Id, request, ct);
        return created ? TypedResults.Created($"/v1/contacts/{view.Handle}", view) : TypedResults.Ok(view);
    }

    private static async Task<NoContent> RemoveContactAsync(string handle, HttpContext http, ContactService s, CancellationToken ct)
    {
        await s.RemoveAsync(http.Caller().Agent!.Id, handle, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> BlockAsync(string handle, HttpContext http, ContactService s, CancellationToken ct)
    {
        await s.BlockAsync(http.Caller().Agent!.Id, handle, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> UnblockAsync(string handle, HttpContext http, ContactService s, CancellationToken ct)
    {
        await s.UnblockAsync(http.Caller().Agent!.Id, handle, ct);
        return TypedResults.NoContent();
    }
}
