using System.Net.WebSockets;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Contracts.Wake;
using Parley.Server.Channel;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Devices;
using Parley.Server.Platform;
using Parley.Server.Platform.WebSockets;
using Parley.Server.Wake.Runs;

namespace Parley.Server.Wake.Listener;

/// <summary>
/// One paired device's listener socket. The listener speaks first: <c>hello {listener_version, hosts[]}</c> within
/// <c>Wake:ListenerHelloTimeoutSeconds</c>, or the socket closes (1008). Then <c>hello.ok {device_id, server_time}</c>,
/// a <c>ping</c> every 30 s (nothing back within 10 s closes it, 4000), and the listener's frames. A pump sends what the
/// device has pending (unacknowledged wakes, cancellations), each once per socket; it looks again whenever its node
/// is told (<see cref="Signal"/>), so a reconnecting listener gets every wake it has not acknowledged.
/// </summary>
internal sealed class DeviceConnection(WebSocket socket, Caller caller, DeviceHub hub, IServiceScopeFactory scopes, TimeProvider time, WakeOptions options)
    : IDisposable
{
    private const int MaxFrameBytes = 64 * 1024;
    private readonly FrameSocket _socket = new(socket, time);
    private readonly SemaphoreSlim _pending = new(0, 1);
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);
    private int _signalled;

    public string DeviceId => caller.Device!.Id;

    public string WorkspaceId => caller.Device!.WorkspaceId;

    /// <summary>This socket's row in <c>device_sessions</c>.</summary>
    public string SessionId { get; } = "dsock_" + Guid.NewGuid().ToString("N");

    public async Task RunAsync(CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _socket.Stopping);
        var ct = linked.Token;
        var pinger = Task.CompletedTask;
        var pump = Task.CompletedTask;
        var added = false;
        try
        {
            if (!await HelloAsync(ct))
            {
                await _socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "expected hello {listener_version, hosts}");
                return;
            }
            await hub.AddAsync(this);
            added = true;
            // The ping timers exist before hello.ok leaves, so a test that sees hello.ok can move the clock at once.
            pinger = _socket.PingLoopAsync(new ListenerPing(), TimeSpan.FromSeconds(options.ListenerPingSeconds),
                TimeSpan.FromSeconds(options.ListenerPongTimeoutSeconds), ct);
            await _socket.SendAsync(new ListenerHelloOk(DeviceId, time.GetUtcNow()), ct);
            await using (var scope = scopes.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<RunDispatch>().DispatchQueuedAsync(DeviceId, ct);
            }
            Signal();
            pump = PumpLoopAsync(ct);
            await ReceiveLoopAsync(ct);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        finally
        {
            if (added)
            {
                await hub.RemoveAsync(this);
            }
            await _socket.StopAsync();
            await Task.WhenAll(pinger, pump).ContinueWith(_ => { }, TaskScheduler.Default);
            _socket.Finished();
        }
    }

    public Task CloseAsync(WebSocketCloseStatus status, string reason) => _socket.CloseAsync(status, reason);

    public Task SendAsync(object frame, CancellationToken ct) => _socket.SendAsync(frame, ct);

    public void Dispose()
    {
        _socket.Dispose();
        _pending.Dispose();
    }

    /// <summary>Asks the pump to look at what the device has pending.</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _pending.Release();
        }
    }

    private async Task PumpLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await _pending.WaitAsync(ct);
                Interlocked.Exchange(ref _signalled, 0);
                await using var scope = scopes.CreateAsyncScope();
                foreach (var (key, frame) in await scope.ServiceProvider.GetRequiredService<RunDispatch>().PendingAsync(DeviceId, _sent, ct))
                {
                    await _socket.SendAsync(frame, ct);
                    _sent.Add(key);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits (on the injected clock) for the listener's hello and records its version and hosts.</summary>
    private async Task<bool> HelloAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timer = Task.Delay(TimeSpan.FromSeconds(options.ListenerHelloTimeoutSeconds), time, timeout.Token);
        var read = _socket.ReceiveAsync(MaxFrameBytes, ct);
        if (await Task.WhenAny(read, timer) != read)
        {
            return false;
        }
        await timeout.CancelAsync();
        if (await read is not { } hello || ChannelFrames.Type(hello) != ListenerFrameTypes.Hello)
        {
            return false;
        }
        var version = ChannelFrames.Field(hello, "listener_version") is { Length: > 0 and <= 50 } v ? v : null;
        var hosts = hello.TryGetProperty("hosts", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(h => h.ValueKind == JsonValueKind.String).Select(h => h.GetString()!)
                .Where(h => Hosts.All.Contains(h)).Distinct(StringComparer.Ordinal).ToList()
            : [];
        await using var scope = scopes.CreateAsyncScope();
        var writes = scope.ServiceProvider.GetRequiredService<Data.Writes>();
        await writes.RunAsync(c => DevicePresence.HelloAsync(writes.Db, DeviceId, version, JsonSerializer.Serialize(hosts), time.NowMs(), c), ct);
        return true;
    }

    /// <summary>A pong is only a sign of life; <c>wake.ack {wake_id}</c> stops a wake being sent again; anything else is an error frame.</summary>
    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        while (_socket.IsOpen && !ct.IsCancellationRequested)
        {
            if (await _socket.ReceiveAsync(MaxFrameBytes, ct) is not { } frame)
            {
                return;
            }
            switch (ChannelFrames.Type(frame))
            {
                case ListenerFrameTypes.Pong:
                    break;
                case ListenerFrameTypes.WakeAck:
                    await using (var scope = scopes.CreateAsyncScope())
                    {
                        await scope.ServiceProvider.GetRequiredService<RunDispatch>().AcknowledgeAsync(DeviceId, ChannelFrames.Field(frame, "wake_id"), ct);
                    }
                    break;
                default:
                    await _socket.SendAsync(new ListenerError(ErrorCodes.ValidationError, "unknown frame type"), ct);
                    break;
            }
        }
    }
}
