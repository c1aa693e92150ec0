using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Parley.Contracts.Json;
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
/// A device's listener channel (<c>GET /v1/devices/ws</c>, wake.md). It says <c>hello</c>, answers pings, and
/// reconnects with backoff and jitter when the connection drops — not when the server closes it with 1008 (the device
/// was revoked): then the events end and <see cref="EndedWith"/> says why. The server resends every wake the listener
/// has not acknowledged on each reconnect, so a wake is never lost to a dropped socket; acknowledge each with
/// <see cref="AckAsync"/> once checked.
/// </summary>
public sealed class ListenerConnection : IAsyncDisposable
{
    private readonly Uri _uri;
    private readonly string _token;
    private readonly ListenerOptions _options;
    private readonly Channel<ListenerEvent> _events = Channel.CreateUnbounded<ListenerEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private ClientWebSocket? _socket;
    private Task? _loop;

    private ListenerConnection(Uri baseAddress, string token, ListenerOptions options)
    {
        var builder = new UriBuilder(baseAddress) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws" };
        builder.Path = builder.Path.TrimEnd('/') + "/v1/devices/ws";
        _uri = builder.Uri;
        _token = token;
        _options = options;
    }

    /// <summary>How many times the connection has been re-established.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Why the channel ended, when the server closed it for good (1008: the device token no longer holds).</summary>
    public WebSocketCloseStatus? EndedWith { get; private set; }

    /// <summary>Whether a socket is open now.</summary>
    public bool IsConnected => _socket is { State: WebSocketState.Open };

    internal static async Task<ListenerConnection> ConnectAsync(Uri baseAddress, string token, ListenerOptions options, CancellationToken cancellationToken)
    {
        var connection = new ListenerConnection(baseAddress, token, options);
        await connection.OpenAsync(cancellationToken);
        connection._loop = connection.RunAsync();
        return connection;
    }

    /// <summary>Every event, in order, until the channel ends.</summary>
    public IAsyncEnumerable<ListenerEvent> ReadAllAsync(CancellationToken cancellationToken = default) => _events.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Tells the server the wake arrived and was checked, so it is not sent again.</summary>
    public Task AckAsync(string wakeId, CancellationToken cancellationToken = default) =>
        SendAsync(new { type = ListenerFrameTypes.WakeAck, wake_id = wakeId }, cancellationToken);

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _token);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(_uri, cancellationToken);
        _socket?.Dispose();
        _socket = socket;
        await SendAsync(new { type = ListenerFrameTypes.Hello, listener_version = _options.ListenerVersion, hosts = _options.Hosts }, cancellationToken);
    }

    private async Task RunAsync()
    {
        var delay = _options.ReconnectDelay;
        while (!_stop.IsCancellationRequested)
        {
            var status = await ReceiveUntilClosedAsync(_socket!);
            if (_stop.IsCancellationRequested || status == WebSocketCloseStatus.PolicyViolation)
            {
                EndedWith = status;
                break;
            }
            await _events.Writer.WriteAsync(new ListenerDisconnected());
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Jitter(delay), _stop.Token);
                    await OpenAsync(_stop.Token);
                    Reconnects++;
                    delay = _options.ReconnectDelay;
                    break;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException or OperationCanceledException)
                {
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
                }
            }
        }
        _events.Writer.TryComplete();
    }

    /// <summary>±20 %, so listeners cut off together do not all come back in the same instant.</summary>
    private static TimeSpan Jitter(TimeSpan delay) => TimeSpan.FromTicks((long)(delay.Ticks * (0.8 + (0.4 * RandomNumberGenerator.GetInt32(1000) / 1000.0))));

    private async Task<WebSocketCloseStatus?> ReceiveUntilClosedAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return result.CloseStatus;
                    }
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                await HandleAsync(JsonSerializer.Deserialize<JsonElement>(message.ToArray(), ParleyJson.Options));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private async Task HandleAsync(JsonElement frame)
    {
        string? Field(string name) => frame.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        switch (Field("type"))
        {
            case ListenerFrameTypes.Ping:
                await SendAsync(new { type = ListenerFrameTypes.Pong }, _stop.Token);
                return;
            case ListenerFrameTypes.HelloOk:
                var serverTime = frame.GetProperty("server_time").GetDateTimeOffset();
                await _events.Writer.WriteAsync(new ListenerConnected(Field("device_id") ?? "", serverTime, serverTime - DateTimeOffset.UtcNow));
                return;
            case ListenerFrameTypes.Wake when Field("envelope") is { } envelope:
                await _events.Writer.WriteAsync(new ListenerWakeReceived(envelope));
                return;
            case ListenerFrameTypes.RunCancel when Field("run_id") is { } runId:
                await _events.Writer.WriteAsync(new ListenerCancelReceived(runId));
                return;
            default:
                return;
        }
    }

    private async Task SendAsync(object frame, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, ParleyJson.Options);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket!.SendAsync(bytes, WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket is { State: WebSocketState.Open })
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _socket?.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}
