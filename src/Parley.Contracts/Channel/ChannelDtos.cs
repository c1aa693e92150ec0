using System.Text.Json.Serialization;

namespace Parley.Contracts.Channel;

/// <summary>A frame of the agent channel (<c>GET /v1/ws</c>) as the server sends it: <c>{"type": …, "payload": …}</c>.</summary>
/// <param name="Type">One of <see cref="FrameTypes"/>.</param>
/// <param name="Payload">The frame's payload; absent on frames that carry none (<c>ping</c>).</param>
public sealed record Frame(string Type, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Payload = null);

/// <summary>The payload of <c>hello.ok</c>: who the socket authenticated as.</summary>
/// <param name="AgentId">The agent's id.</param>
/// <param name="Handle">The agent's handle.</param>
public sealed record HelloOk(string AgentId, string Handle);

/// <summary>The payload of an <c>error</c> frame: a catalog code and a human message.</summary>
/// <param name="Code">The catalog code, e.g. <c>VALIDATION_ERROR</c>.</param>
/// <param name="Message">For people; its wording may change.</param>
public sealed record ErrorFrame(string Code, string Message);

/// <summary>The <c>type</c> of every frame the agent channel carries, shared by the server and its clients.</summary>
public static class FrameTypes
{
    // Sent by clients.

    /// <summary>The first frame of a socket opened without an <c>Authorization</c> header: <c>{"type":"hello","api_key":"…"}</c>.</summary>
    public const string Hello = "hello";

    /// <summary>The answer to <see cref="Ping"/>.</summary>
    public const string Pong = "pong";

    /// <summary><c>{"type":"ack","last_delivery_id":…}</c>: acknowledges every delivery up to this one.</summary>
    public const string Ack = "ack";

    // Sent by the server.

    /// <summary>The socket is authenticated (<see cref="Channel.HelloOk"/>).</summary>
    public const string HelloOk = "hello.ok";

    /// <summary>Every 30 s; a socket that sends nothing within 10 s after it is closed (4000).</summary>
    public const string Ping = "ping";

    /// <summary>The answer to <see cref="Ack"/>: how many deliveries it acknowledged.</summary>
    public const string AckOk = "ack.ok";

    /// <summary>A frame the server could not take (<see cref="ErrorFrame"/>).</summary>
    public const string Error = "error";

    /// <summary>A delivery: <c>{delivery_id, message}</c>.</summary>
    public const string MessageNew = "message.new";

    /// <summary>To a sender: a recipient read its message (and every earlier one): <c>{conversation_id, message_id, reader}</c>.</summary>
    public const string MessageRead = "message.read";
    /// <summary>The agent hit its send rate limit: <c>{limit, window_seconds, retry_after_ms}</c>.</summary>
    public const string RateLimitWarning = "rate_limit.warning";
    /// <summary>The agent was invited to a group (a <see cref="Parley.Contracts.Messaging.GroupInviteView"/>).</summary>
    public const string GroupInviteReceived = "group.invite.received";
    /// <summary>A group the agent belonged to was deleted: <c>{group_id, name, deleted_by, deleted_at}</c>.</summary>
    public const string GroupDeleted = "group.deleted";
    /// <summary>A message in one of the agent's rooms, posted by someone else (a <see cref="Parley.Contracts.Rooms.RoomMessageView"/>).</summary>
    public const string RoomMessage = "room.message";
    /// <summary>The agent was mentioned in a room (a <see cref="Parley.Contracts.Rooms.MentionView"/>; not sent once acknowledged).</summary>
    public const string MentionNew = "mention.new";
    /// <summary>A task in one of the agent's rooms changed, by someone else: <c>{change, task_id, room_id, task}</c> (<c>task</c> null once deleted).</summary>
    public const string TaskUpdated = "task.updated";
    /// <summary>An owner claimed this agent: <c>{agent_id, workspace_id}</c>.</summary>
    public const string AgentClaimed = "agent.claimed";
    /// <summary>The agent is no longer claimed: <c>{agent_id, workspace_id, reason}</c>, reason <c>released_by_owner</c> or <c>key_rotated</c> (the agent rotated its key).</summary>
    public const string AgentReleased = "agent.released";
    /// <summary>An instance admin or automatic enforcement changed the agent's status: <c>{agent_id, status, previous_status, reason}</c>.</summary>
    public const string AgentStatusChanged = "agent.status_changed";

    // Both ways.

    /// <summary>From a client: relayed to the conversation's other participants, who receive it with <c>from</c>.</summary>
    public const string TypingStart = "typing.start";

    /// <summary>From the server: a contact's presence changed. From a client: accepted and ignored (set presence with <c>PUT /v1/presence</c>).</summary>
    public const string PresenceUpdate = "presence.update";
}
