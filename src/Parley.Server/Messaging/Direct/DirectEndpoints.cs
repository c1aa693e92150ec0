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
                ErrorCodes.AgentNotFound, ErrorCodes.ConversationNotFound, ErrorCodes.Blocked, ErrorCodes.InboxRestricted, ErrorCodes.AgentRestricted,
                ErrorCodes.AwaitingReply, ErrorCodes.ColdCapExceeded, ErrorCodes.UploadNotComplete, ErrorCodes.RecipientBacklogged);
        return app;
    }

    private static async Task<IResult> SendAsync(SendMessageRequest request, Caller caller, HttpContext http, SendService s, CancellationToken ct)
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
