using System.Text.Json;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Platform;

namespace Parley.Server.Rooms.Thread;

/// <summary>A room's messages and mentions in wire shape. Actors are read in one batch per call.</summary>
internal static class ThreadViews
{
    public static async Task<List<RoomMessageView>> MessagesAsync(ParleyDb db, IReadOnlyList<RoomMessage> messages, CancellationToken ct)
    {
        var mentioned = messages.ToDictionary(m => m.Id, m => MentionIds(m.Mentions));
        var actors = await Principals.ResolveAsync(db, messages.Select(m => m.SenderId).Concat(mentioned.Values.SelectMany(v => v)), ct);
        return [.. messages.Select(m => new RoomMessageView(m.Id, m.RoomId, m.Seq, actors[m.SenderId], m.Body,
            [.. mentioned[m.Id].Select(id => actors[id])], m.ParentId, Clock.Time(m.CreatedAt)))];
    }

    private static List<string> MentionIds(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    public static async Task<List<MentionView>> MentionsAsync(ParleyDb db, IReadOnlyList<Mention> mentions, CancellationToken ct)
    {
        var actors = await Principals.ResolveAsync(db, mentions.Select(m => m.SenderId), ct);
        return [.. mentions.Select(m => new MentionView(m.Id, m.RoomId, m.MessageId, m.Seq, actors[m.SenderId], m.Excerpt, m.TaskId))];
    }
}
