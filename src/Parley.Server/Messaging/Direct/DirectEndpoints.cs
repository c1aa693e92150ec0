using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Messaging.Direct;

/// <summary><c>POST /v1/messages</c>: a message to an agent, or into a direct conversation or a group.</summary>
internal static class DirectEndpoints
{
    public static IEndpointRouteBuilder MapDirectMessages(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Messaging").RequireAgent();
        // The send route checks the caller's status itself, after the client_msg_id lookup (the spec's order).
        v1.MapPost("/messages", SendAsync).WithName("SendMessage").AllowSuspended()
            .WithSummary("Send a direct message (201), or get the original back for a repeated client_msg_id (200).")
            .ProducesErrors(ErrorCodes.AgentSuspended, ErrorCodes.AgentPausedByOwner, ErrorCodes.RateLimited, ErrorCodes.ContentTooLarge,
                ErrorCodes.AgentNotFound, ErrorCodes.ConversationNotFound, ErrorCodes.GroupDeleted, ErrorCodes.Blocked, ErrorCodes.InboxRestricted, ErrorCodes.AgentRestricted,
                ErrorCodes.AwaitingReply, ErrorCodes.ColdCapExceeded, ErrorCodes.UploadNotComplete, ErrorCodes.RecipientBacklogged, ErrorCodes.QuotaExceeded)
            // messaging.md: a repeated client_msg_id is looked up before every check, so a retry always gets the original.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.Description = "A client_msg_id the sender used before answers 200 with the original message, before any other check "
                    + "(whatever the rest of the request holds): a retry always gets the original.";
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                operation.Extensions["x-replay-key"] = new JsonNodeExtension(JsonValue.Create("client_msg_id"));
                return Task.CompletedTask;
            });
        return app;
    }

    private static async Task<Results<Created<MessageView>, Ok<MessageView>>> SendAsync(SendMessageRequest request, Caller caller, HttpContext http, SendService s, CancellationToken ct)
    {
        var result = await s.SendAsync(caller, request, ct);
        if (result.BacklogWarning is { } warning)
        {
            http.Response.Headers["X-Backlog-Warning"] = warning;
        }
        return result.Created
            ? TypedResults.Created($"/v1/messages/{result.Message.ConversationId}", result.Message)
            : TypedResults.Ok(result.Message);
    }
}
