using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Channel;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;
using Parley.Server.Platform.Cluster;
using Parley.Server.Platform.Jobs;

namespace Parley.Server.Channel;

/// <summary>
/// This node's agent sockets, and what the cluster bus tells them: feeds with news, ephemeral events, identity's
/// notices, revoked credentials (close with 1008), pause changes. When the host begins to stop, every socket closes
/// with 1001 before the web server drains its requests.
/// </summary>
internal sealed class ChannelHub(
    IClusterBus bus, IServiceScopeFactory scopes, IEnumerable<IAgentEventRenderer> renderers, IEnumerable<IAgentFeed> feeds,
    IEnumerable<IFrameHandler> handlers, NodeIdentity node, TimeProvider time, ILogger<ChannelHub> logger)
    : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _heartbeat;
    private readonly ConcurrentDictionary<string, AgentConnection[]> _byAgent = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Dictionary<string, IAgentEventRenderer> _renderers = renderers.ToDictionary(r => r.Type, StringComparer.Ordinal);

    public int Count => _byAgent.Values.Sum(c => c.Length);

    /// <summary>The durable feeds every socket reads, each from its own cursor.</summary>
    public IReadOnlyList<IAgentFeed> Feeds { get; } = [.. feeds];

    /// <summary>The handlers of the frames agents send, by type.</summary>
    public IReadOnlyDictionary<string, IFrameHandler> FrameHandlers { get; } = handlers.ToDictionary(h => h.Type, StringComparer.Ordinal);

    /// <summary>Registers a socket here and in <c>socket_sessions</c> (so every node sees the agent online).</summary>
    public async Task AddAsync(AgentConnection connection)
    {
        var list = _byAgent.AddOrUpdate(connection.AgentId, _ => [connection], (_, l) => [.. l, connection]);
        await using var scope = scopes.CreateAsyncScope();
        var writes = scope.ServiceProvider.GetRequiredService<Writes>();
        await writes.RunAsync(async c =>
        {
            writes.Db.SocketSessions.Add(new SocketSession { Id = connection.SessionId, AgentId = connection.AgentId, NodeId = node.Id, SeenAt = time.NowMs() });
            if (list.Length == 1)
            {
                await TellOnlineListenersAsync(scope.ServiceProvider, connection.AgentId, c);
            }
        }, CancellationToken.None);
    }

    public async Task RemoveAsync(AgentConnection connection)
    {
        var remaining = _byAgent.AddOrUpdate(connection.AgentId, _ => [], (_, list) => [.. list.Where(c => c != connection)]);
        if (remaining.Length == 0)
        {
            // Removes the entry only if no connection was added meanwhile (the array instance is compared).
            _byAgent.TryRemove(new KeyValuePair<string, AgentConnection[]>(connection.AgentId, remaining));
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var writes = scope.ServiceProvider.GetRequiredService<Writes>();
            await writes.RunAsync(async c =>
            {
                await writes.Db.SocketSessions.Where(s => s.Id == connection.SessionId).ExecuteDeleteAsync(c);
                if (remaining.Length == 0)
                {
                    await TellOnlineListenersAsync(scope.ServiceProvider, connection.AgentId, c);
                }
            }, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The session row goes stale on its own when this node stops refreshing it.
            logger.LogWarning(exception, "Could not remove socket session {SessionId}", connection.SessionId);
        }
    }

    private static async Task TellOnlineListenersAsync(IServiceProvider services, string agentId, CancellationToken c)
    {
        foreach (var listener in services.GetServices<IAgentOnlineListener>())
        {
            await listener.OnlineChangedAsync(agentId, c);
        }
    }

    /// <summary>Keeps this node's socket sessions fresh (every 30 s on the injected clock).</summary>
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
                await writes.RunAsync(c => writes.Db.SocketSessions.Where(s => s.NodeId == node.Id)
                    .ExecuteUpdateAsync(x => x.SetProperty(s => s.SeenAt, now), c), _stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Socket session heartbeat failed");
        }
    }

    private AgentConnection[] For(string agentId) => _byAgent.TryGetValue(agentId, out var list) ? list : [];

    private Task SignalAsync(string agentId)
    {
        foreach (var connection in For(agentId))
        {
            connection.Signal();
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscriptions.Add(bus.Subscribe(AgentChannel.FeedTopic, SignalAsync));
        _subscriptions.Add(bus.Subscribe(AgentSignals.SettingsChanged, SignalAsync));
        _subscriptions.Add(bus.Subscribe(AgentChannel.EventTopic, OnEventAsync));
        _subscriptions.Add(bus.Subscribe(AgentSignals.NoticeAdded, OnNoticeAsync));
        _subscriptions.Add(bus.Subscribe(AgentSignals.CredentialsRevoked, OnRevokedAsync));
        bus.Resynchronize += ResynchronizeAsync;
        _heartbeat = HeartbeatAsync();
        return Task.CompletedTask;
    }

    /// <summary>Runs as the host begins to stop, before the web server waits for open requests (every socket is one).</summary>
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

    private Task ResynchronizeAsync()
    {
        foreach (var connection in _byAgent.Values.SelectMany(c => c))
        {
            connection.Signal();
        }
        return Task.CompletedTask;
    }

    private async Task CloseAllAsync(WebSocketCloseStatus status, string reason) =>
        await Task.WhenAll(_byAgent.Values.SelectMany(c => c).Select(c => c.CloseAsync(status, reason)));

    private async Task OnRevokedAsync(string payload)
    {
        var split = payload.IndexOf(':', StringComparison.Ordinal);
        var agentId = split < 0 ? payload : payload[..split];
        var keyId = split < 0 ? null : payload[(split + 1)..];
        foreach (var connection in For(agentId).Where(c => keyId is null || c.CredentialId == keyId))
        {
            await connection.CloseAsync(WebSocketCloseStatus.PolicyViolation, "credential revoked");
        }
    }

    private async Task OnNoticeAsync(string payload)
    {
        var split = payload.IndexOf(':', StringComparison.Ordinal);
        var agentId = payload[..split];
        var connections = For(agentId);
        if (connections.Length == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        if (!await PushGate.IsOpenAsync(db, agentId, CancellationToken.None)
            || await AgentQueries.NoticeAsync(db, payload[(split + 1)..], CancellationToken.None) is not { } notice)
        {
            return;
        }
        var frame = new Frame(notice.Type, JsonDocument.Parse(notice.Payload).RootElement.Clone());
        await Task.WhenAll(connections.Select(c => c.PushAsync(frame)));
    }

    private async Task OnEventAsync(string payload)
    {
        var parts = payload.Split('|');
        var connections = For(parts[0]);
        if (connections.Length == 0)
        {
            return;
        }
        if (_renderers.GetValueOrDefault(parts[1]) is not { } renderer)
        {
            logger.LogWarning("No renderer for agent event {Type}", parts[1]);
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        if (!await PushGate.IsOpenAsync(scope.ServiceProvider.GetRequiredService<ParleyDb>(), parts[0], CancellationToken.None))
        {
            return;
        }
        if (await renderer.RenderAsync(scope.ServiceProvider, parts[2..], CancellationToken.None) is { } body)
        {
            var frame = new Frame(parts[1], body);
            await Task.WhenAll(connections.Select(c => c.PushAsync(frame)));
        }
    }
}
