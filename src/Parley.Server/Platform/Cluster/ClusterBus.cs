using System.Collections.Concurrent;

namespace Parley.Server.Platform.Cluster;

/// <summary>
/// Notifications between the nodes of one deployment: ids only, never content (receivers read state from the
/// database). Delivery is best effort and may repeat; a node that lost its channel raises <see cref="Resynchronize"/>
/// so subscribers reread what they hold from the database.
/// </summary>
internal interface IClusterBus
{
    /// <summary>Sends to every node, this one included.</summary>
    Task PublishAsync(string topic, string payload, CancellationToken cancellationToken);

    IDisposable Subscribe(string topic, Func<string, Task> handler);

    /// <summary>Raised after the channel to other nodes was lost and is back.</summary>
    event Func<Task>? Resynchronize;
}

/// <summary>Subscriptions and dispatch, shared by both buses.</summary>
internal abstract class ClusterBusBase(ILogger logger) : IClusterBus
{
    private readonly ConcurrentDictionary<string, ImmutableHandlers> _handlers = new(StringComparer.Ordinal);

    public event Func<Task>? Resynchronize;

    public abstract Task PublishAsync(string topic, string payload, CancellationToken cancellationToken);

    public IDisposable Subscribe(string topic, Func<string, Task> handler)
    {
        _handlers.AddOrUpdate(topic, _ => new ImmutableHandlers([handler]), (_, h) => new ImmutableHandlers([.. h.List, handler]));
        return new Unsubscriber(() => _handlers.AddOrUpdate(topic, _ => new ImmutableHandlers([]),
            (_, h) => new ImmutableHandlers([.. h.List.Where(x => x != handler)])));
    }

    protected async Task DispatchAsync(string topic, string payload)
    {
        if (!_handlers.TryGetValue(topic, out var handlers))
        {
            return;
        }
        foreach (var handler in handlers.List)
        {
            try
            {
                await handler(payload);
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "A cluster notification handler for {Topic} failed", topic);
            }
        }
    }

    protected async Task RaiseResynchronizeAsync()
    {
        if (Resynchronize is { } resync)
        {
            foreach (var handler in resync.GetInvocationList().Cast<Func<Task>>())
            {
                try
                {
                    await handler();
                }
                catch (Exception exception)
                {
                    logger.LogError(exception, "A resynchronisation handler failed");
                }
            }
        }
    }

    private sealed record ImmutableHandlers(Func<string, Task>[] List);

    private sealed class Unsubscriber(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}

/// <summary>SQLite deployments have one node: a notification is simply dispatched in the process.</summary>
internal sealed class LocalClusterBus(ILogger<LocalClusterBus> logger) : ClusterBusBase(logger)
{
    public override Task PublishAsync(string topic, string payload, CancellationToken cancellationToken) => DispatchAsync(topic, payload);
}
