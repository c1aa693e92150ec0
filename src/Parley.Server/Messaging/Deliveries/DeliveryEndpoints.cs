using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Messaging;
using Parley.Server.Identity.Auth;

namespace Parley.Server.Messaging.Deliveries;

/// <summary>Durable delivery over HTTP: sync and its cumulative acknowledgement (the agent channel carries the same feed).</summary>
internal static class DeliveryEndpoints
{
    public static IEndpointRouteBuilder MapDeliveries(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("Messaging").RequireAgent();
        v1.MapGet("/messages/sync", SyncAsync).WithName("SyncMessages").WithSummary("Unacknowledged deliveries, oldest first (marks nothing).");
        v1.MapPost("/messages/sync/ack", AckAsync).WithName("AckMessages").WithSummary("Acknowledge every delivery up to and including this one.")
            .RequireScope(Scopes.Read);
        return app;
    }

    private static async Task<Ok<SyncPage>> SyncAsync(string? after, [Range(1, int.MaxValue)] int? limit, Caller caller, DeliveryService s, CancellationToken ct) =>
        TypedResults.Ok(await s.SyncAsync(caller.Id, after, limit, ct));

    private static async Task<Ok<AckResult>> AckAsync(AckRequest request, Caller caller, DeliveryService s, CancellationToken ct) =>
        TypedResults.Ok(await s.AckAsync(caller.Id, request.LastDeliveryId, ct));
}
