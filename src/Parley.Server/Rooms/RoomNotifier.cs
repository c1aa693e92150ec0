using Parley.Contracts.Channel;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Rooms.Membership;

namespace Parley.Server.Rooms;

/// <summary>
/// What rooms push to agents' sockets, through the agent channel (after the write commits, ids only):
/// <c>room.message</c> to the room's other agents, <c>mention.new</c> to a mentioned agent, <c>task.updated</c> to the
/// room's agents except the one that acted. The renderers are the thread's and the board's.
/// </summary>
internal sealed class RoomNotifier(AgentChannel channel, Writes writes)
{
    /// <summary>A message was posted: message id.</summary>
    public async Task MessagePostedAsync(string roomId, string messageId, string sender, CancellationToken ct)
    {
        foreach (var agentId in await AgentMembersAsync(roomId, ct))
        {
            if (Principals.Agent(agentId) != sender)
            {
                channel.Publish(agentId, FrameTypes.RoomMessage, messageId);
            }
        }
    }

    /// <summary>An agent was mentioned: mention id.</summary>
    public void Mentioned(string agentId, string mentionId) => channel.Publish(agentId, FrameTypes.MentionNew, mentionId);

    /// <summary>A task changed: task id, room id, and the task event type that caused it (or <c>deleted</c>).</summary>
    public async Task TaskChangedAsync(string roomId, string taskId, string change, string? actor, CancellationToken ct) =>
        TaskChanged(await AgentMembersAsync(roomId, ct), roomId, taskId, change, actor);

    /// <summary>
    /// <see cref="TaskChangedAsync"/> with the room's agent members already read (by <see cref="AgentMembers"/> in the
    /// batch that took the room's lock).
    /// </summary>
    public void TaskChanged(IReadOnlyList<string> agentMembers, string roomId, string taskId, string change, string? actor)
    {
        foreach (var agentId in agentMembers)
        {
            if (Principals.Agent(agentId) != actor)
            {
                channel.Publish(agentId, FrameTypes.TaskUpdated, taskId, roomId, change);
            }
        }
    }

    /// <summary>The ids of the room's agent members, as a statement of a batch.</summary>
    public static SqlQuery<string> AgentMembers(string roomId) =>
        new("SELECT member_id FROM room_members WHERE room_id = @p0 AND kind = @p1", r => r.Text("member_id"), roomId, MemberKind.Agent);

    /// <summary>Tells one agent (e.g. an agent that just left the room and lost its lease).</summary>
    public void TaskChangedFor(string agentId, string roomId, string taskId, string change) =>
        channel.Publish(agentId, FrameTypes.TaskUpdated, taskId, roomId, change);

    private Task<List<string>> AgentMembersAsync(string roomId, CancellationToken ct) => Sql.QueryAsync(writes.Db, AgentMembers(roomId), ct);
}
