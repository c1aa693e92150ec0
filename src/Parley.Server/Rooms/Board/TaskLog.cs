using System.Text.Json;
using Parley.Contracts.Json;
using Parley.Server.Data;
using Parley.Server.Platform;

namespace Parley.Server.Rooms.Board;

/// <summary>A task's append-only log (<c>GET /v1/tasks/{id}/events</c>): every change to a task adds one entry, in the change's transaction.</summary>
internal sealed class TaskLog(Writes writes, Ids ids, TimeProvider time)
{
    public void Add(RoomTask task, string type, string? actor, params (string Key, object? Value)[] details)
    {
        writes.Db.TaskEvents.Add(new TaskEvent
        {
            Id = ids.New("tev"), TaskId = task.Id, RoomId = task.RoomId, Type = type, ActorId = actor,
            Details = details.Length == 0 ? null : JsonSerializer.Serialize(details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal), ParleyJson.Options),
            CreatedAt = time.NowMs(),
        });
    }
}
