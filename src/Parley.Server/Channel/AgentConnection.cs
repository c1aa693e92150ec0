using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Channel;
using Parley.Contracts.Json;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Channel;

/// <summary>
/// One authenticated agent socket. A pump sends what the durable feeds hold after this socket's cursors, oldest first,
/// then reads again whenever a feed is signalled (a signal only says "look again", so nothing is missed however signals
/// arrive). The receive loop hands each frame to its module's handler. Pings go out every 30 s and the socket closes
/// (4000) when the next frame does not come within 10 s; both clocks come from <see cref="TimeProvider"/>.
/// </summary>
internal sealed class AgentConnection(
    WebSocket socket, Caller caller, ChannelHub hub, IServiceScopeFactory scopes, TimeProvider time, ChannelLimits limits, ILogger logger)
    : IDisposable
{
    public const WebSocketCloseStatus PingTimeout = (WebSocketCloseStatus)4000;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long[] _cursors = new long[hub.Feeds.Count];
    private int _signalled;
    private long _lastHeardAt;

    public string AgentId => caller.Agent!.Id;

    /// <summary>This socket's row in <c>socket_sessions</c>.</summary>
    public string SessionId { get; } = "sock_" + Guid.NewGuid().ToString("N");
    public string CredentialId => caller.CredentialId;

    public async Task RunAsync(CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _stop.Token);
        var ct = linked.Token;
        _lastHeardAt = time.GetTimestamp();
        var pinger = PingLoopAsync(ct);
        await hub.AddAsync(this);
        var pump = Task.CompletedTask;
        try
        {
            await SendAsync(new Frame(FrameTypes.HelloOk, new HelloOk(AgentId, caller.Agent!.Handle)), ct);
            Signal();
            pump = PumpLoopAsync(ct);
            await ReceiveLoopAsync(ct);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            await hub.RemoveAsync(this);
            await _stop.CancelAsync();
            await Task.WhenAll(pinger, pump).ContinueWith(_ => { }, TaskScheduler.Default);
            _finished.TrySetResult();
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _sendLock.Dispose();
        _wake.Dispose();
    }

    /// <summary>Asks the pump to read the feeds again.</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Pushes an event; a socket that is closing simply misses it (events are not durable).</summary>
    public async Task PushAsync(Frame frame)
    {
        try
        {
            await SendAsync(frame, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Sends the close frame, then gives the peer a moment to answer it (the receive loop ends on the answer) before
    /// tearing down; cancelling a pending receive first would abort the socket and the peer would never see the code.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _sendLock.WaitAsync(timeout.Token);
            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.CloseOutputAsync(status, reason, timeout.Token);
                }
            }
            finally
            {
                _sendLock.Release();
            }
            await _finished.Task.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or TimeoutException)
        {
        }
        finally
        {
            try
            {
                await _stop.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task PumpLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await _wake.WaitAsync(ct);
                Interlocked.Exchange(ref _signalled, 0);
                bool more;
                do
                {
                    more = await PushFeedsAsync(ct);
                }
                while (more && !ct.IsCancellationRequested);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Feed pump failed for {AgentId}", AgentId);
            await CloseAsync(WebSocketCloseStatus.InternalServerError, "internal error");
        }
    }

    /// <summary>Sends the next page of every feed after this socket's cursors; true when there may be more.</summary>
    private async Task<bool> PushFeedsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // While the gate is shut nothing is pushed; what arrives meanwhile stays for sync and for the next socket.
        if (!await PushGate.IsOpenAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), AgentId, ct))
        {
            return false;
        }
        var more = false;
        for (var i = 0; i < hub.Feeds.Count; i++)
        {
            var page = await hub.Feeds[i].ReadAsync(scope.ServiceProvider, AgentId, _cursors[i], ct);
            foreach (var frame in page.Frames)
            {
                await SendAsync(frame, ct);
            }
            _cursors[i] = page.Cursor;
            more |= page.HasMore;
        }
        return more;
    }

    private async Task PingLoopAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(limits.WebSocketPingSeconds);
        var patience = TimeSpan.FromSeconds(limits.WebSocketPongTimeoutSeconds);
        try
        {
            var nextPing = Task.Delay(interval, time, ct);
            while (!ct.IsCancellationRequested)
            {
                await nextPing;
                // Both timers exist before the ping leaves, so a test that sees the ping can move the clock at once.
                var sentAt = time.GetTimestamp();
                var deadline = Task.Delay(patience, time, ct);
                nextPing = Task.Delay(interval, time, ct);
                await SendAsync(new Frame(FrameTypes.Ping), ct);
                await deadline;
                if (Interlocked.Read(ref _lastHeardAt) < sentAt)
                {
                    await CloseAsync(PingTimeout, "no pong within the timeout");
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        while (socket.State == WebSocketState.Open && !ct.IsCancellationRequested)
        {
            var frame = await ReadFrameAsync(socket, 64 * 1024, ct);
            if (frame is null)
            {
                return;
            }
            Interlocked.Exchange(ref _lastHeardAt, time.GetTimestamp());
            await HandleAsync(frame.Value, ct);
        }
    }

    /// <summary>Any frame counts as a sign of life; a pong is nothing more. Other frames go to their module's handler.</summary>
    private async Task HandleAsync(JsonElement frame, CancellationToken ct)
    {
        var type = ChannelFrames.Type(frame);
        if (type == FrameTypes.Pong)
        {
            return;
        }
        try
        {
            if (type is null || !hub.FrameHandlers.TryGetValue(type, out var handler))
            {
                throw ApiErrors.Validation("type", "unknown frame type");
            }
            await using var scope = scopes.CreateAsyncScope();
            if (await handler.HandleAsync(scope.ServiceProvider, AgentId, frame, ct) is { } reply)
            {
                await SendAsync(reply, ct);
            }
        }
        catch (ApiException error)
        {
            await SendAsync(ChannelFrames.Error(error), ct);
        }
    }

    private async Task SendAsync(Frame frame, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, ParleyJson.Options);
        await _sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private static async Task AnswerCloseAsync(WebSocket socket, CancellationToken ct)
    {
        if (socket.State == WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
        }
    }

    /// <summary>
    /// Reads one text frame as JSON; null when the peer closed. Frames over the limit or not JSON close the socket.
    /// It waits for the frame with a zero-byte read and rents a buffer only once data has arrived, so an idle
    /// connection holds no receive buffer.
    /// </summary>
    public static async Task<JsonElement?> ReadFrameAsync(WebSocket socket, int maxBytes, CancellationToken ct)
    {
        var first = await socket.ReceiveAsync(Memory<byte>.Empty, ct);
        if (first.MessageType == WebSocketMessageType.Close)
        {
            await AnswerCloseAsync(socket, ct);
            return null;
        }
        using var message = new MemoryStream();
        if (!first.EndOfMessage)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await AnswerCloseAsync(socket, ct);
                        return null;
                    }
                    message.Write(buffer, 0, result.Count);
                    if (message.Length > maxBytes)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "frame too large", ct);
                        return null;
                    }
                    if (result.EndOfMessage)
                    {
                        break;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        try
        {
            return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonDocument.Parse(Encoding.UTF8.GetBytes("{\"type\":null}")).RootElement.Clone();
        }
    }
}
