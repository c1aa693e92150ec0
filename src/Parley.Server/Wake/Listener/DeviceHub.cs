using System.Collections.Concurrent;
using System.Net.WebSockets;
using Parley.Contracts.Events;
using Parley.Server.Data;
using Parley.Server.Identity.Devices;
using Parley.Server.Platform;
using Parley.Server.Platform.Cluster;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform.OwnerEvents;

namespace Parley.Server.Wake.Listener;

/// <summary>
/// This node's listener sockets. Each has a row in <c>device_sessions</c> (refreshed every 30 s on the injected
/// clock, so a dead node's rows go stale) that makes its device <c>online</c> on every node, and the device's
/// <c>last_seen_at</c> is kept to the minute. The device's first socket and its last one announce
/// <c>device.online</c> and <c>device.offline</c> to its owners (a node that dies announces nothing: its devices'
/// sessions just go stale). A revocation announced on the cluster bus closes the device's sockets
/// (1008); when the host begins to stop, every socket closes with 1001.
/// </summary>
internal sealed class DeviceHub(IClusterBus bus, IServiceScopeFactory scopes, NodeIdentity node, TimeProvider time, ILogger<DeviceHub> logger)
    : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, DeviceConnection[]> _byDevice = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private Task? _heartbeat;

    public async Task AddAsync(DeviceConnection connection)
    {
        _byDevice.AddOrUpdate(connection.DeviceId, _ => [connection], (_, l) => [.. l, connection]);
        await using var scope = scopes.CreateAsyncScope();
        var writes = scope.ServiceProvider.GetRequiredService<Writes>();
        var events = scope.ServiceProvider.GetRequiredService<OwnerEventLog>();
        await writes.RunAsync(async c =>
        {
            // The device's first socket anywhere: its owners see it come online.
            if (!await DevicePresence.IsOnlineAsync(writes.Db, connection.DeviceId, time.NowMs(), c))
            {
                events.Record(connection.WorkspaceId, OwnerEventTypes.DeviceOnline, new DevicePresenceChanged(connection.DeviceId));
            }
            DevicePresence.Open(writes.Db, connection.SessionId, connection.DeviceId, node.Id, time.NowMs());
        }, CancellationToken.None);
    }

    public async Task RemoveAsync(DeviceConnection connection)
    {
        var remaining = _byDevice.AddOrUpdate(connection.DeviceId, _ => [], (_, list) => [.. list.Where(c => c != connection)]);
        if (remaining.Length == 0)
        {
            _byDevice.TryRemove(new KeyValuePair<string, DeviceConnection[]>(connection.DeviceId, remaining));
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var writes = scope.ServiceProvider.GetRequiredService<Writes>();
            var events = scope.ServiceProvider.GetRequiredService<OwnerEventLog>();
            await writes.RunAsync(async c =>
            {
                await DevicePresence.CloseAsync(writes.Db, connection.SessionId, c);
                if (!await DevicePresence.IsOnlineAsync(writes.Db, connection.DeviceId, time.NowMs(), c))
                {
                    events.Record(connection.WorkspaceId, OwnerEventTypes.DeviceOffline, new DevicePresenceChanged(connection.DeviceId));
                }
            }, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The row goes stale on its own when this node stops refreshing it.
            logger.LogWarning(exception, "Could not remove device session {SessionId}", connection.SessionId);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscriptions.Add(bus.Subscribe(DeviceSignals.RevokedTopic, OnRevokedAsync));
        _subscriptions.Add(bus.Subscribe(DeviceSignals.PendingTopic, OnPendingAsync));
        bus.Resynchronize += ResynchronizeAsync;
        _heartbeat = HeartbeatAsync();
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => CloseAllAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_heartbeat is not null)
        {
            await _heartbeat;
        }
        bus.Resynchronize -= ResynchronizeAsync;
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
        await CloseAllAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down");
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    /// <summary>Sends a frame as it is to the device's sockets on this node (test hooks only); how many got it.</summary>
    public async Task<int> SendRawAsync(string deviceId, System.Text.Json.JsonElement frame, CancellationToken ct)
    {
        var connections = _byDevice.TryGetValue(deviceId, out var found) ? found : [];
        await Task.WhenAll(connections.Select(c => c.SendAsync(frame, ct)));
        return connections.Length;
    }

    private sealed record DevicePresenceChanged(string DeviceId);

    private async Task OnRevokedAsync(string deviceId)
    {
        if (_byDevice.TryGetValue(deviceId, out var connections))
        {
            await Task.WhenAll(connections.Select(c => c.CloseAsync(WebSocketCloseStatus.PolicyViolation, "device revoked")));
        }
    }

    private Task OnPendingAsync(string deviceId)
    {
        if (_byDevice.TryGetValue(deviceId, out var connections))
        {
            foreach (var connection in connections)
            {
                connection.Signal();
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Notices may have been lost while the bus was down: every socket looks again.</summary>
    private Task ResynchronizeAsync()
    {
        foreach (var connection in _byDevice.Values.SelectMany(c => c))
        {
            connection.Signal();
        }
        return Task.CompletedTask;
    }

    private async Task CloseAllAsync(WebSocketCloseStatus status, string reason) =>
        await Task.WhenAll(_byDevice.Values.SelectMany(c => c).Select(c => c.CloseAsync(status, reason)));

    /// <summary>Every 30 s: this node's sessions are fresh, and its devices were seen now.</summary>
    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await using var scope = scopes.CreateAsyncScope();
                var writes = scope.ServiceProvider.GetRequiredService<Writes>();
                var now = time.NowMs();
                var devices = _byDevice.Keys.ToList();
                await writes.RunAsync(c => DevicePresence.RefreshAsync(writes.Db, node.Id, devices, now, c), _stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Device session heartbeat failed");
        }
    }
}
