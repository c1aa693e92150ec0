using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Json;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Platform.Files;
using Parley.Server.Platform;

namespace Parley.Server.Rooms;

/// <summary>Room entities in wire shape. Actors are read in one batch per call.</summary>
internal static class RoomViews
{

    public static async Task<RoomView> RoomAsync(ParleyDb db, Room room, CancellationToken ct) =>
        (await RoomsAsync(db, [room], ct))[0];

    public static async Task<List<RoomView>> RoomsAsync(ParleyDb db, IReadOnlyList<Room> rooms, CancellationToken ct)
    {
        var actors = await Principals.ResolveAsync(db, rooms.Select(r => r.CreatedBy), ct);
        return [.. rooms.Select(r => new RoomView(r.Id, r.Name, r.Topic, r.Status, r.Kind, r.OwnerWorkspaceId, actors[r.CreatedBy], Clock.Time(r.CreatedAt)))];
    }

    public static async Task<List<RoomMessageView>> MessagesAsync(ParleyDb db, IReadOnlyList<RoomMessage> messages, CancellationToken ct)
    {
        var mentioned = messages.ToDictionary(m => m.Id, m => MentionIds(m.Mentions));
        var actors = await Principals.ResolveAsync(db, messages.Select(m => m.SenderId).Concat(mentioned.Values.SelectMany(v => v)), ct);
        return [.. messages.Select(m => new RoomMessageView(m.Id, m.RoomId, m.Seq, actors[m.SenderId], m.Body,
            [.. mentioned[m.Id].Select(id => actors[id])], m.ParentId, Clock.Time(m.CreatedAt)))];
    }

    public static IReadOnlyList<string> MentionIds(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<string>>(json) ?? [];

    public static async Task<List<MentionView>> MentionsAsync(ParleyDb db, IReadOnlyList<Mention> mentions, CancellationToken ct)
    {
        var actors = await Principals.ResolveAsync(db, mentions.Select(m => m.SenderId), ct);
        return [.. mentions.Select(m => new MentionView(m.Id, m.RoomId, m.MessageId, m.Seq, actors[m.SenderId], m.Excerpt, m.TaskId))];
    }

    public static async Task<TaskView> TaskAsync(ParleyDb db, RoomTask task, CancellationToken ct) => (await TasksAsync(db, [task], ct))[0];

    public static async Task<List<TaskView>> TasksAsync(ParleyDb db, IReadOnlyList<RoomTask> tasks, CancellationToken ct)
    {
        var actors = await Principals.ResolveAsync(db, tasks.SelectMany(t => new[] { t.CreatedBy, t.AssigneeId, t.HolderId }), ct);
        return [.. tasks.Select(t => new TaskView(
            t.Id, t.RoomId, t.Title, t.Detail, t.DefinitionOfDone, t.AssigneeId is null ? null : actors[t.AssigneeId], t.Status, t.Consent,
            t.Position, t.Generation,
            t.HolderId is null ? null : new TaskClaimView(actors[t.HolderId], t.HolderInstance!, Clock.Time(t.ExpiresAt!.Value), Clock.Time(t.GraceUntil!.Value)),
            t.Result is null ? null : JsonSerializer.Deserialize<TaskResultView>(t.Result, ParleyJson.Options),
            actors[t.CreatedBy], Clock.Time(t.CreatedAt), Clock.Time(t.UpdatedAt)))];
    }

    public static async Task<List<TaskEventView>> EventsAsync(ParleyDb db, IReadOnlyList<TaskEvent> events, CancellationToken ct)
    {
        var actors = await Principals.ResolveAsync(db, events.Select(e => e.ActorId), ct);
        return [.. events.Select(e => new TaskEventView(e.Id, e.TaskId, e.Type, e.ActorId is null ? null : actors[e.ActorId],
            e.Details is null ? null : JsonDocument.Parse(e.Details).RootElement.Clone(), Clock.Time(e.CreatedAt)))];
    }

    public static async Task<List<RoomFileView>> FilesAsync(ParleyDb db, IReadOnlyList<(RoomFile Entry, StoredFile File)> files, CancellationToken ct)
    {
        var actors = await Principals.ResolveAsync(db, files.Select(f => f.Entry.UpdatedBy), ct);
        return [.. files.Select(f => new RoomFileView(f.Entry.Path, f.Entry.Version, f.File.SizeBytes, f.File.Sha256, f.File.ContentType,
            f.File.Status, actors[f.Entry.UpdatedBy], Clock.Time(f.Entry.CreatedAt), f.File.Id))];
    }

    public static async Task<RoomInviteView> InviteAsync(ParleyDb db, RoomInvite invite, string roomName, CancellationToken ct) =>
        new(invite.Id, invite.RoomId, roomName, invite.Kind, invite.Target, invite.Status,
            await Principals.ResolveOneAsync(db, invite.InvitedBy, ct), Clock.Time(invite.CreatedAt), Clock.Time(invite.ExpiresAt));
}
