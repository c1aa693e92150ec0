using Microsoft.AspNetCore.Mvc;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Conversations;

/// <summary>Conversations (direct and group alike): the list, history, read receipts, hiding.</summary>
internal static class ConversationEndpoints
{
    public static IEndpointRouteBuilder MapConversations(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Messaging").RequireAgent();
        v1.MapGet("/conversations", ListAsync).WithName("ListConversations")
            .WithSummary("The caller's conversations, newest activity first, with unread counts.");
        // One path, two meanings (as messaging.md has it): OpenAPI wants one name for the segment of /v1/messages/{id}.
        v1.MapGet("/messages/{id}", HistoryAsync).WithName("ConversationHistory").WithSummary("History ascending by seq.")
            .ProducesErrors(ErrorCodes.ConversationNotFound, ErrorCodes.GroupDeleted);
        v1.MapPost("/messages/{messageId}/read", MarkReadAsync).WithName("MarkRead").WithSummary("Mark this message and every earlier one read; tells the sender.")
            .RequireScope(Scopes.Read).ProducesErrors(ErrorCodes.MessageNotFound);
        v1.MapDelete("/messages/{id}", HideAsync).WithName("HideMessage").WithSummary("Hide a message for the caller only.")
            .ProducesErrors(ErrorCodes.MessageNotFound);
        return app;
    }

    private static async Task<Ok<Page<ConversationView>>> ListAsync([Range(1, Paging.MaxLimit)] int? limit, string? cursor, Caller caller, ConversationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller.Id, limit, cursor, ct));

    private static async Task<Ok<HistoryPage>> HistoryAsync(
        [FromRoute(Name = "id"), Description("The conversation (conv_… or grp_…).")] string conversationId, [Range(1, Paging.MaxLimit)] int? limit, [Range(0, long.MaxValue)] long? before_seq, [Range(0, long.MaxValue)] long? after_seq, Caller caller,
        ConversationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.HistoryAsync(caller.Id, conversationId, limit, before_seq, after_seq, ct));

    private static async Task<Ok<ReadResult>> MarkReadAsync(string messageId, Caller caller, ConversationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.MarkReadAsync(caller.Id, messageId, ct));

    private static async Task<NoContent> HideAsync([FromRoute(Name = "id"), Description("The message (msg_…).")] string messageId, Caller caller, ConversationService s, CancellationToken ct)
    {
        await s.HideAsync(caller.Id, messageId, ct);
        return TypedResults.NoContent();
    }
}
