using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Rooms.Thread;

/// <summary>A room's thread, and the calling agent's mentions.</summary>
internal static class ThreadEndpoints
{
    public static IEndpointRouteBuilder MapThread(this IEndpointRouteBuilder app)
    {
        var room = app.MapGroup("/v1/rooms").WithTags("Rooms").RequireOwnerOrAgent()
            .MapGroup("/{roomId}").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        room.MapPost("/messages", PostAsync).WithName("PostRoomMessage")
            .WithSummary("Post to the room's thread (201); mentions name member agents.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.ContentTooLarge, ErrorCodes.QuotaExceeded);
        room.MapGet("/messages", HistoryAsync).WithName("RoomHistory").WithSummary("The thread, ascending by seq.").RateLimited("room-read");

        var mentions = app.MapGroup("/v1/mentions").WithTags("Rooms").RequireAgent();
        mentions.MapGet("", MentionsAsync).WithName("ListMentions").WithSummary("The calling agent's unacknowledged mentions, oldest first.")
            .RateLimited("room-read").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        mentions.MapPost("/ack", AckAsync).WithName("AckMentions").WithSummary("Acknowledge mentions; counts only those not acknowledged before.")
            .RequireScope(Scopes.Read).RateLimited("room-write").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        return app;
    }

    private static async Task<Created<RoomMessageView>> PostAsync(string roomId, PostRoomMessageRequest request, Caller caller, RoomMessageService s,
        CancellationToken ct)
    {
        var message = await s.PostAsync(caller, roomId, request, ct);
        return TypedResults.Created($"/v1/rooms/{roomId}/messages?after_seq={message.Seq - 1}", message);
    }

    private static async Task<Ok<RoomHistoryPage>> HistoryAsync(string roomId, [Range(1, Paging.MaxLimit)] int? limit, [Range(0, long.MaxValue)] long? before_seq, [Range(0, long.MaxValue)] long? after_seq, Caller caller,
        RoomMessageService s, CancellationToken ct) =>
        TypedResults.Ok(await s.HistoryAsync(caller, roomId, limit, before_seq, after_seq, ct));

    private static async Task<Ok<Page<MentionView>>> MentionsAsync(string? room, [Range(0, long.MaxValue)] long? since_seq, [Range(1, Paging.MaxLimit)] int? limit, string? cursor, Caller caller,
        RoomMessageService s, CancellationToken ct) =>
        TypedResults.Ok(await s.MentionsAsync(caller, room, since_seq, limit, cursor, ct));

    private static async Task<Ok<MentionsAcked>> AckAsync(AckMentionsRequest request, Caller caller, RoomMessageService s, CancellationToken ct) =>
        TypedResults.Ok(await s.AckAsync(caller, request, ct));
}
