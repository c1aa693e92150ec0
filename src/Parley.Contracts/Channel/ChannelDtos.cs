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

    public const string MessageRead = "message.read";
    public const string RateLimitWarning = "rate_limit.warning";
    public const string GroupInviteReceived = "group.invite.received";
    public const string GroupDeleted = "group.deleted";
    public const string RoomMessage = "room.message";
    public const string MentionNew = "mention.new";
    public const string TaskUpdated = "task.updated";
    public const string AgentClaimed = "agent.claimed";
    public const string AgentReleased = "agent.released";
    public const string AgentStatusChanged = "agent.status_changed";

    // Both ways.

    /// <summary>From a client: relayed to the conversation's other participants, who receive it with <c>from</c>.</summary>
    public const string TypingStart = "typing.start";

    /// <summary>From the server: a contact's presence changed. From a client: accepted and ignored (set presence with <c>PUT /v1/presence</c>).</summary>
    public const string PresenceUpdate = "presence.update";
}
