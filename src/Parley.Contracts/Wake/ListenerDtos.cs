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

public sealed record ListenerHelloOk(string DeviceId, DateTimeOffset ServerTime)
{
    public string Type { get; init; } = ListenerFrameTypes.HelloOk;
}

public sealed record ListenerPing
{
    public string Type { get; init; } = ListenerFrameTypes.Ping;
}

public sealed record ListenerError(string Code, string Message)
{
    public string Type { get; init; } = ListenerFrameTypes.Error;
}

/// <summary><c>{type: "wake", envelope}</c>.</summary>
public sealed record ListenerWake(string Envelope)
{
    public string Type { get; init; } = ListenerFrameTypes.Wake;
}

/// <summary><c>{type: "run.cancel", run_id}</c>.</summary>
public sealed record ListenerRunCancel(string RunId)
{
    public string Type { get; init; } = ListenerFrameTypes.RunCancel;
}
