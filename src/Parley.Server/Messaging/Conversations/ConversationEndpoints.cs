using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Messaging.Conversations;

/// <summary>Conversations (direct and group alike): the list, history, read receipts, hiding.</summary>
internal static class ConversationEndpoints
{
    public static IEndpointRouteBuilder MapConversations(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Messaging").RequireAgent();
        v1.MapGet("/conversations", ListAsync).WithName("ListConversations")
            .WithSummary("The caller's conversations, newest activity first, with unread counts.");
        v1.MapGet("/messages/{conversationId}", HistoryAsync).WithName("ConversationHistory").WithSummary("History ascending by seq.")
            .ProducesErrors(ErrorCodes.ConversationNotFound);
        v1.MapPost("/messages/{messageId}/read", MarkReadAsync).WithName("MarkRead").WithSummary("Mark this message and every earlier one read; tells the sender.")
            .RequireScope(Scopes.Read).ProducesErrors(ErrorCodes.MessageNotFound);
        v1.MapDelete("/messages/{messageId}", HideAsync).WithName("HideMessage").WithSummary("Hide a message for the caller only.")
            .ProducesErrors(ErrorCodes.MessageNotFound);
        return app;
    }

    private static async Task<Ok<Page<ConversationView>>> ListAsync(int? limit, string? cursor, Caller caller, ConversationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller.Id, limit, cursor, ct));

    private static async Task<Ok<HistoryPage>> HistoryAsync(string conversationId, int? limit, long? before_seq, long? after_seq, Caller caller,
        ConversationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.HistoryAsync(caller.Id, conversationId, limit, before_seq, after_seq, ct));

    private static async Task<Ok<ReadResult>> MarkReadAsync(string messageId, Caller caller, ConversationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.MarkReadAsync(caller.Id, messageId, ct));

    private static async Task<NoContent> HideAsync(string messageId, Caller caller, ConversationService s, CancellationToken ct)
    {
        await s.HideAsync(caller.Id, messageId, ct);
        return TypedResults.NoContent();
    }
}
