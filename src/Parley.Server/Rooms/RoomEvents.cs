using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;
using Parley.Server.Messaging.Realtime;

namespace Parley.Server.Rooms;

/// <summary>
/// What rooms push to agents' WebSockets (after the write commits, ids only; see <see cref="AgentEvents"/>):
/// <c>room.message</c> to the room's other agents, <c>mention.new</c> to a mentioned agent, <c>task.updated</c> to the
/// room's agents except the one that acted.
/// </summary>
internal sealed class RoomNotifier(AgentEvents events, Writes writes)
{
    public const string MessageEvent = "room.message";
    public const string MentionEvent = "mention.new";
    public const string TaskEvent = "task.updated";

    public async Task MessagePostedAsync(RoomMessage message, CancellationToken ct)
    {
        foreach (var agentId in await AgentMembersAsync(message.RoomId, ct))
        {
            if (Principals.Agent(agentId) != message.SenderId)
            {
                events.Publish(agentId, MessageEvent, message.Id);
            }
        }
    }

    public void Mentioned(string agentId, string mentionId) => events.Publish(agentId, MentionEvent, mentionId);

    /// <summary><paramref name="change"/> is the task event type that caused it (or <c>deleted</c>).</summary>
    public async Task TaskChangedAsync(string roomId, string taskId, string change, string? actor, CancellationToken ct)
    {
        foreach (var agentId in await AgentMembersAsync(roomId, ct))
        {
            if (Principals.Agent(agentId) != actor)
            {
                events.Publish(agentId, TaskEvent, taskId, roomId, change);
            }
        }
    }

    /// <summary>Tells one agent (e.g. an agent that just left the room and lost its lease).</summary>
    public void TaskChangedFor(string agentId, string roomId, string taskId, string change) =>
        events.Publish(agentId, TaskEvent, taskId, roomId, change);

    private Task<List<string>> AgentMembersAsync(string roomId, CancellationToken ct) =>
        writes.Db.RoomMembers.AsNoTracking().Where(m => m.RoomId == roomId && m.Kind == MemberKind.Agent).Select(m => m.MemberId).ToListAsync(ct);
}

/// <summary><c>room.message</c>: the message id → the message.</summary>
internal sealed class RoomMessageEvent : IAgentEventRenderer
{
    public string Type => RoomNotifier.MessageEvent;

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var db = services.GetRequiredService<ParleyDb>();
        var message = await db.RoomMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == a[0], ct);
        return message is null ? null : (await RoomViews.MessagesAsync(db, [message], ct))[0];
    }
}

/// <summary><c>mention.new</c>: the mention id → the mention.</summary>
internal sealed class MentionEvent : IAgentEventRenderer
{
    public string Type => RoomNotifier.MentionEvent;

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var db = services.GetRequiredService<ParleyDb>();
        var mention = await db.Mentions.AsNoTracking().FirstOrDefaultAsync(m => m.Id == a[0] && m.AckedAt == null, ct);
        return mention is null ? null : (await RoomViews.MentionsAsync(db, [mention], ct))[0];
    }
}

/// <summary><c>task.updated</c>: task id, room id, change → <c>{change, task_id, room_id, task}</c> (task null once deleted).</summary>
internal sealed class TaskUpdatedEvent : IAgentEventRenderer
{
    public string Type => RoomNotifier.TaskEvent;

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var db = services.GetRequiredService<ParleyDb>();
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == a[0], ct);
        return new
        {
            change = a[2],
            task_id = a[0],
            room_id = a[1],
            task = task is null ? null : await RoomViews.TaskAsync(db, task, ct),
        };
    }
}
