using System.Text.Json;
using Parley.Contracts.Wake;

namespace Parley.Client.Wake;

/// <summary>Settings of a <see cref="ListenerConnection"/>.</summary>
public sealed class ListenerOptions
{
    /// <summary>Sent in <c>hello</c> (at most 50 characters); shown to the owner as the device's <c>listener_version</c>.</summary>
    public string ListenerVersion { get; set; } = "parley-sdk";

    /// <summary>The hosts this listener can run (<see cref="Contracts.Wake.Hosts"/>), sent in <c>hello</c>.</summary>
    public IReadOnlyList<string> Hosts { get; set; } = [];

    /// <summary>First wait before reconnecting; it doubles up to <see cref="MaxReconnectDelay"/>, each wait with ±20 % jitter.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between reconnection attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Something the listener channel brought.</summary>
public abstract record ListenerEvent;

/// <summary>The server took the listener's <c>hello</c> (after every (re)connect).</summary>
/// <param name="DeviceId">The device the token belongs to.</param>
/// <param name="ServerTime">The server's clock when it answered.</param>
/// <param name="Offset">The server's clock minus this machine's, measured on arrival (to check envelope lifetimes against the server's time).</param>
public sealed record ListenerConnected(string DeviceId, DateTimeOffset ServerTime, TimeSpan Offset) : ListenerEvent;

/// <summary>A wake: a signed envelope, not yet verified (see <see cref="WakeEnvelopeVerifier"/>).</summary>
public sealed record ListenerWakeReceived(string Envelope) : ListenerEvent;

/// <summary>The owner cancelled a run this device runs: stop its process and finish it <c>cancelled</c>.</summary>
public sealed record ListenerCancelReceived(string RunId) : ListenerEvent;

/// <summary>The connection dropped; the listener is reconnecting.</summary>
public sealed record ListenerDisconnected : ListenerEvent;

/// <summary>
/// A device's listener channel (<c>GET /v1/devices/ws</c>, wake.md). It says <c>hello</c> on every (re)connect,
/// answers pings, and reconnects with backoff and jitter when the connection drops — not when the server closes it
/// with 1008 (the device was revoked): then the events end and <see cref="ReconnectingSocket{TEvent}.EndedWith"/> says
/// why. The server resends every wake the listener has not acknowledged on each reconnect, so a wake is never lost to
/// a dropped socket; acknowledge each with <see cref="AckAsync"/> once checked.
/// </summary>
public sealed class ListenerConnection : ReconnectingSocket<ListenerEvent>
{
    private readonly ListenerOptions _options;

    private ListenerConnection(Uri baseAddress, string token, ListenerOptions options)
        : base(baseAddress, "/v1/devices/ws", token, options.ReconnectDelay, options.MaxReconnectDelay) => _options = options;

    internal static async Task<ListenerConnection> ConnectAsync(Uri baseAddress, string token, ListenerOptions options, CancellationToken cancellationToken)
    {
        var connection = new ListenerConnection(baseAddress, token, options);
        await connection.StartAsync(cancellationToken);
        return connection;
    }

    /// <summary>Tells the server the wake arrived and was checked, so it is not sent again.</summary>
    public Task AckAsync(string wakeId, CancellationToken cancellationToken = default) =>
        SendAsync(new { type = ListenerFrameTypes.WakeAck, wake_id = wakeId }, cancellationToken);

    /// <inheritdoc />
    protected override Task OnOpenedAsync(CancellationToken cancellationToken) =>
        SendAsync(new { type = ListenerFrameTypes.Hello, listener_version = _options.ListenerVersion, hosts = _options.Hosts }, cancellationToken);

    /// <inheritdoc />
    protected override async Task OnDroppedAsync() => await EmitAsync(new ListenerDisconnected());

    /// <inheritdoc />
    protected override async Task HandleAsync(JsonElement frame)
    {
        string? Field(string name) => frame.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        switch (Field("type"))
        {
            case ListenerFrameTypes.Ping:
                await SendAsync(new { type = ListenerFrameTypes.Pong }, Stopping);
                return;
            case ListenerFrameTypes.HelloOk:
                var serverTime = frame.GetProperty("server_time").GetDateTimeOffset();
                await EmitAsync(new ListenerConnected(Field("device_id") ?? "", serverTime, serverTime - DateTimeOffset.UtcNow));
                return;
            case ListenerFrameTypes.Wake when Field("envelope") is { } envelope:
                await EmitAsync(new ListenerWakeReceived(envelope));
                return;
            case ListenerFrameTypes.RunCancel when Field("run_id") is { } runId:
                await EmitAsync(new ListenerCancelReceived(runId));
                return;
            default:
                return;
        }
    }
}
