namespace Parley.Contracts.Wake;

/// <summary>
/// The <c>type</c> of every frame of the listener channel (<c>GET /v1/devices/ws</c>). Unlike the agent channel, a
/// listener frame carries its fields at the top level: <c>{"type":"hello.ok","device_id":…,"server_time":…}</c>.
/// </summary>
public static class ListenerFrameTypes
{
    // Sent by the listener.

    /// <summary>The first frame: <c>{type, listener_version, hosts[]}</c>.</summary>
    public const string Hello = "hello";

    /// <summary><c>{type}</c>: the answer to a <c>ping</c>.</summary>
    public const string Pong = "pong";

    /// <summary><c>{type, wake_id}</c>: the listener has the wake and checked it.</summary>
    public const string WakeAck = "wake.ack";

    // Sent by the server.

    /// <summary><c>{type, device_id, server_time}</c>.</summary>
    public const string HelloOk = "hello.ok";

    /// <summary>Every 30 s; a listener that sends nothing within 10 s after it is disconnected (4000).</summary>
    public const string Ping = "ping";

    /// <summary><c>{type, envelope}</c>: a signed wake (a compact JWS).</summary>
    public const string Wake = "wake";

    /// <summary><c>{type, run_id}</c>: stop that run's process.</summary>
    public const string RunCancel = "run.cancel";

    /// <summary><c>{type, code, message}</c>: a frame the server could not take.</summary>
    public const string Error = "error";
}

/// <summary>The server's <c>hello.ok</c> frame: the answer to the listener's <c>hello</c>.</summary>
/// <param name="DeviceId">The device the socket belongs to (<c>dev_…</c>).</param>
/// <param name="ServerTime">The server's clock (RFC 3339 UTC), so a listener can check envelope times against it.</param>
public sealed record ListenerHelloOk(string DeviceId, DateTimeOffset ServerTime)
{
    /// <summary>The frame type: <c>hello.ok</c>.</summary>
    public string Type { get; init; } = ListenerFrameTypes.HelloOk;
}

/// <summary>The server's <c>ping</c> frame, every 30 s: answer <c>pong</c>; a listener that sends nothing within 10 s is disconnected (4000).</summary>
public sealed record ListenerPing
{
    /// <summary>The frame type: <c>ping</c>.</summary>
    public string Type { get; init; } = ListenerFrameTypes.Ping;
}

/// <summary>The server's <c>error</c> frame: a frame it could not take; the socket stays open.</summary>
/// <param name="Code">A catalog code, e.g. <c>VALIDATION_ERROR</c> for an unknown frame type.</param>
/// <param name="Message">A human explanation.</param>
public sealed record ListenerError(string Code, string Message)
{
    /// <summary>The frame type: <c>error</c>.</summary>
    public string Type { get; init; } = ListenerFrameTypes.Error;
}

/// <summary><c>{type: "wake", envelope}</c>.</summary>
/// <param name="Envelope">The signed wake: a compact JWS (ES256, <c>typ: parley-wake+jwt</c>) to verify with <c>/.well-known/jwks.json</c> before running anything.</param>
public sealed record ListenerWake(string Envelope)
{
    /// <summary>The frame type: <c>wake</c>.</summary>
    public string Type { get; init; } = ListenerFrameTypes.Wake;
}

/// <summary><c>{type: "run.cancel", run_id}</c>.</summary>
/// <param name="RunId">The run (<c>run_…</c>) whose process to stop, then finish as <c>cancelled</c>.</param>
public sealed record ListenerRunCancel(string RunId)
{
    /// <summary>The frame type: <c>run.cancel</c>.</summary>
    public string Type { get; init; } = ListenerFrameTypes.RunCancel;
}
