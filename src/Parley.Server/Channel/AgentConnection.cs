using System.Net.WebSockets;
using System.Text.Json;
using Parley.Contracts.Channel;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.WebSockets;

namespace Parley.Server.Channel;

/// <summary>
/// One authenticated agent socket. A pump sends what the durable feeds hold after this socket's cursors, oldest first,
/// then reads again whenever a feed is signalled (a signal only says "look again", so nothing is missed however signals
/// arrive). The receive loop hands each frame to its module's handler. Pings go out every 30 s and the socket closes
/// (4000) when the next frame does not come within 10 s (<see cref="FrameSocket"/>); both clocks come from <see cref="TimeProvider"/>.
/// </summary>
internal sealed class AgentConnection(
    WebSocket socket, Caller caller, ChannelHub hub, IServiceScopeFactory scopes, TimeProvider time, ChannelLimits limits, ILogger logger)
    : IDisposable
{
    private readonly FrameSocket _socket = new(socket, time);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly long[] _cursors = new long[hub.Feeds.Count];
    private int _signalled;

    public string AgentId => caller.Agent!.Id;

    /// <summary>This socket's row in <c>socket_sessions</c>.</summary>
    public string SessionId { get; } = "sock_" + Guid.NewGuid().ToString("N");
    public string CredentialId => caller.CredentialId;

    public async Task RunAsync(CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _socket.Stopping);
        var ct = linked.Token;
        var pinger = _socket.PingLoopAsync(new Frame(FrameTypes.Ping), TimeSpan.FromSeconds(limits.WebSocketPingSeconds),
            TimeSpan.FromSeconds(limits.WebSocketPongTimeoutSeconds), ct);
        await hub.AddAsync(this);
        var pump = Task.CompletedTask;
        try
        {
            await _socket.SendAsync(new Frame(FrameTypes.HelloOk, new HelloOk(AgentId, caller.Agent!.Handle)), ct);
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
            await _socket.StopAsync();
            await Task.WhenAll(pinger, pump).ContinueWith(_ => { }, TaskScheduler.Default);
            _socket.Finished();
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
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
    public Task PushAsync(Frame frame) => _socket.PushAsync(frame);

    public Task CloseAsync(WebSocketCloseStatus status, string reason) => _socket.CloseAsync(status, reason);

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
                await _socket.SendAsync(frame, ct);
            }
            _cursors[i] = page.Cursor;
            more |= page.HasMore;
        }
        return more;
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        while (_socket.IsOpen && !ct.IsCancellationRequested)
        {
            var frame = await _socket.ReceiveAsync(64 * 1024, ct);
            if (frame is null)
            {
                return;
            }
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
                await _socket.SendAsync(reply, ct);
            }
        }
        catch (ApiException error)
        {
            await _socket.SendAsync(ChannelFrames.Error(error), ct);
        }
    }
}
