using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Messaging.Webhooks;

/// <summary>An agent's webhooks.</summary>
internal static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/v1").RequireAgent().MapGroup("/webhooks").WithTags("Webhooks");
        hooks.MapPost("", CreateAsync).WithName("CreateWebhook").WithSummary("Register a webhook (at most 5); the secret is shown once.")
            .ProducesErrors(ErrorCodes.InvalidUrl, ErrorCodes.Conflict);
        hooks.MapGet("", ListAsync).WithName("ListWebhooks").WithSummary("The caller's webhooks.");
        hooks.MapDelete("/{webhookId}", DeleteAsync).WithName("DeleteWebhook").WithSummary("Remove a webhook.").ProducesErrors(ErrorCodes.NotFound);
        return app;
    }

    private static async Task<Created<WebhookCreated>> CreateAsync(CreateWebhookRequest request, Caller caller, WebhookService s, CancellationToken ct)
    {
        var created = await s.CreateAsync(caller.Id, request, ct);
        return TypedResults.Created($"/v1/webhooks/{created.Id}", created);
    }

    private static async Task<Ok<Page<WebhookView>>> ListAsync(Caller caller, WebhookService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller.Id, ct));

    private static async Task<NoContent> DeleteAsync(string webhookId, Caller caller, WebhookService s, CancellationToken ct)
    {
        await s.DeleteAsync(caller.Id, webhookId, ct);
        return TypedResults.NoContent();
    }
}
