using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Parley.Contracts.Channel;
using Parley.Contracts.Json;
using Parley.Contracts.Messaging;

namespace Parley.Client;

/// <summary>Settings of an <see cref="AgentStream"/>.</summary>
public sealed class AgentStreamOptions
{
    /// <summary>First wait before reconnecting (doubles up to <see cref="MaxReconnectDelay"/>).</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between reconnection attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>An event from the server: <c>message.new</c> (with <see cref="Delivery"/>), <c>message.read</c>, <c>typing.start</c>, notices…</summary>
public sealed record AgentEvent(string Type, JsonElement Payload, DeliveryView? Delivery);

/// <summary>
/// The agent's live channel. It answers the server's pings, reconnects when the connection drops (not when the server
/// refuses the credential: close 1008 ends the stream), and resumes: after a reconnect the server first replays every
/// unacknowledged delivery, and the stream skips those it already handed out. Delivery is at-least-once across
/// process restarts; acknowledge what you have processed with <see cref="AckAsync"/>.
/// </summary>
public sealed class AgentStream : IAsyncDisposable
{
    private readonly Uri _uri;
    private readonly string _credential;
    private readonly AgentStreamOptions _options;
    private readonly Channel<AgentEvent> _events = Channel.CreateUnbounded<AgentEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private ClientWebSocket? _socket;
    private Task? _loop;
    private string? _lastDeliveryId;

    private AgentStream(Uri baseAddress, string credential, AgentStreamOptions options)
    {
        var builder = new UriBuilder(baseAddress) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws" };
        builder.Path = builder.Path.TrimEnd('/') + "/v1/ws";
        _uri = builder.Uri;
        _credential = credential;
        _options = options;
    }

    /// <summary>How many times the stream has reconnected.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Why the stream ended, when the server closed it for good (1008: the credential is no longer valid).</summary>
    public WebSocketCloseStatus? EndedWith { get; private set; }

    internal static async Task<AgentStream> ConnectAsync(Uri baseAddress, string credential, AgentStreamOptions options, CancellationToken cancellationToken)
    {
        var stream = new AgentStream(baseAddress, credential, options);
        await stream.OpenAsync(cancellationToken);
        stream._loop = stream.RunAsync();
        return stream;
    }

    /// <summary>Every event, in order, until the stream ends.</summary>
    public IAsyncEnumerable<AgentEvent> ReadAllAsync(CancellationToken cancellationToken = default) => _events.Reader.ReadAllAsync(cancellationToken);

    /// <summary>The next <c>message.new</c> delivery (other events are skipped).</summary>
    public async Task<DeliveryView> NextDeliveryAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var item in ReadAllAsync(cancellationToken))
        {
            if (item.Delivery is { } delivery)
            {
                return delivery;
            }
        }
        throw new InvalidOperationException($"The stream ended ({EndedWith}).");
    }

    /// <summary>Acknowledges every delivery up to and including this one, over the socket.</summary>
    public Task AckAsync(string deliveryId, CancellationToken cancellationToken = default) =>
        SendAsync(new { type = FrameTypes.Ack, last_delivery_id = deliveryId }, cancellationToken);

    /// <summary>Tells the conversation's other participants this agent is typing.</summary>
    public Task TypingAsync(string conversationId, CancellationToken cancellationToken = default) =>
        SendAsync(new { type = FrameTypes.TypingStart, conversation_id = conversationId }, cancellationToken);

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _credential);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(_uri, cancellationToken);
        _socket?.Dispose();
        _socket = socket;
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
            // Dropped (network, server restart, ping timeout): reconnect with backoff; the server replays what is unacknowledged.
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(delay, _stop.Token);
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
                    // Any failure to reach the server (refused, reset mid-handshake, a connect that timed out): wait and try again.
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
                }
            }
        }
        _events.Writer.TryComplete();
    }

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
                await HandleAsync(JsonSerializer.Deserialize<Frame>(message.ToArray(), ParleyJson.Options)!);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException)
        {
            return null;
        }
    }

    private async Task HandleAsync(Frame frame)
    {
        var payload = frame.Payload is JsonElement element ? element : default;
        switch (frame.Type)
        {
            case FrameTypes.Ping:
                await SendAsync(new { type = FrameTypes.Pong }, _stop.Token);
                return;
            case FrameTypes.HelloOk or FrameTypes.AckOk:
                return;
            case FrameTypes.MessageNew:
                var delivery = payload.Deserialize<DeliveryView>(ParleyJson.Options)!;
                // Delivery ids of one agent grow in commit order, so anything not above the last handed out is a replay.
                if (_lastDeliveryId is not null && string.CompareOrdinal(delivery.DeliveryId, _lastDeliveryId) <= 0)
                {
                    return;
                }
                _lastDeliveryId = delivery.DeliveryId;
                await _events.Writer.WriteAsync(new AgentEvent(frame.Type, payload, delivery));
                return;
            default:
                await _events.Writer.WriteAsync(new AgentEvent(frame.Type, payload, null));
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

    /// <summary>Closes the stream.</summary>
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
