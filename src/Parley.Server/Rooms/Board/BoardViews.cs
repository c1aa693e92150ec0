using System.Text.Json;
using Parley.Contracts.Json;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Platform;

namespace Parley.Server.Rooms.Board;

/// <summary>Tasks and their log in wire shape. Actors are read in one batch per call.</summary>
internal static class BoardViews
{
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
}
