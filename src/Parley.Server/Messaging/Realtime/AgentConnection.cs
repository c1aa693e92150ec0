using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Json;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform;

namespace Parley.Server.Messaging.Realtime;

/// <summary>
/// One authenticated agent WebSocket. A pump sends unacknowledged deliveries oldest first, then new ones as they are
/// signalled (a signal only says "look again": the pump always reads from its cursor in the database, so nothing is
/// missed however signals arrive). The receive loop handles acks, pongs and typing. Pings go out every 30 s and the
/// socket closes (4000) when the next frame does not come within 10 s; both clocks come from <see cref="TimeProvider"/>.
/// </summary>
internal sealed class AgentConnection(
    WebSocket socket, Caller caller, WebSocketHub hub, IServiceScopeFactory scopes, TimeProvider time, MessagingLimits limits, ILogger logger)
    : IDisposable
{
    public const WebSocketCloseStatus PingTimeout = (WebSocketCloseStatus)4000;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _signalled;
    private long _cursor;
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
            await SendAsync(new { type = "hello.ok", payload = new { agent_id = AgentId, handle = caller.Agent!.Handle } }, ct);
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

    /// <summary>Asks the pump to look for new deliveries.</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Pushes an event; a socket that is closing simply misses it (the event is not durable).</summary>
    public async Task SendEventAsync(string type, object payload)
    {
        try
        {
            await SendAsync(new { type, payload }, _stop.Token);
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
                    more = await PushBatchAsync(ct);
                }
                while (more && !ct.IsCancellationRequested);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Delivery pump failed for {AgentId}", AgentId);
            await CloseAsync(WebSocketCloseStatus.InternalServerError, "internal error");
        }
    }

    /// <summary>Sends the next batch after the cursor; true when there may be more.</summary>
    private async Task<bool> PushBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        // A `full`-paused agent gets no pushes; what arrives meanwhile stays for sync and for the next socket.
        if (await Sql.SingleOrDefaultAsync(db, "SELECT paused FROM agents WHERE id = @p0", r => r.GetString(0), ct, AgentId) == PauseMode.Full)
        {
            return false;
        }
        var deliveries = scope.ServiceProvider.GetRequiredService<DeliveryService>();
        var (items, hasMore) = await deliveries.PendingAsync(AgentId, _cursor, 200, ct);
        if (items.Count == 0)
        {
            return false;
        }
        // Mutes stop pushes only: a muted message is skipped here and stays pending for sync.
        var now = time.NowMs();
        var mutes = await Sql.QueryAsync(db, "SELECT muted_agent_id, conversation_id FROM mutes WHERE agent_id = @p0 AND (muted_until IS NULL OR muted_until > @p1)",
            r => new Mute { Id = "", AgentId = AgentId, MutedAgentId = r.NullableString(0), ConversationId = r.NullableString(1) }, ct, AgentId, now);
        var views = await MessageViews.ToViewsAsync(db, [.. items.Select(i => i.Message)], ct);
        for (var i = 0; i < items.Count; i++)
        {
            var message = items[i].Message;
            if (!mutes.Any(m => m.MutedAgentId == message.SenderId || m.ConversationId == message.ConversationId))
            {
                await SendAsync(new { type = "message.new", payload = new DeliveryView(MessageViews.DeliveryId(items[i].Seq), views[i]) }, ct);
            }
            _cursor = items[i].Seq;
        }
        return hasMore;
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
                await SendAsync(new { type = "ping" }, ct);
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

    private async Task HandleAsync(JsonElement frame, CancellationToken ct)
    {
        var type = frame.TryGetProperty("type", out var t) ? t.GetString() : null;
        try
        {
            switch (type)
            {
                case "pong":
                case "presence.update":
                    return;
                case "ack":
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var result = await scope.ServiceProvider.GetRequiredService<DeliveryService>()
                        .AckAsync(AgentId, frame.TryGetProperty("last_delivery_id", out var id) ? id.GetString() : null, ct);
                    await SendAsync(new { type = "ack.ok", payload = result }, ct);
                    return;
                }
                case "typing.start":
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var conversationId = frame.TryGetProperty("conversation_id", out var c) ? c.GetString()
                        : frame.TryGetProperty("payload", out var p) && p.TryGetProperty("conversation_id", out var pc) ? pc.GetString() : null;
                    await scope.ServiceProvider.GetRequiredService<TypingService>().StartAsync(AgentId, conversationId, ct);
                    return;
                }
                default:
                    throw ApiErrors.Validation("type", "unknown frame type");
            }
        }
        catch (ApiException error)
        {
            await SendAsync(new { type = "error", payload = new { code = error.Code, message = error.Message } }, ct);
        }
    }

    private async Task SendAsync(object frame, CancellationToken ct)
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
