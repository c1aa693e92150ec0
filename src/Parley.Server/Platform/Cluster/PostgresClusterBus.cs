using System.Threading.Channels;
using Npgsql;

namespace Parley.Server.Platform.Cluster;

/// <summary>
/// PostgreSQL's own LISTEN/NOTIFY on channel <c>parley</c>; a payload is <c>&lt;topic&gt;|&lt;ids&gt;</c>. One connection per
/// node listens; when it drops, the node reconnects, then raises <c>Resynchronize</c> because notifications sent in
/// between are lost.
/// <para>
/// Publishing only queues: one sender sends what has queued in a single statement (one transaction), in order. Every
/// NOTIFY is a transaction whose commit PostgreSQL flushes, and a request can publish hundreds (a message to a
/// 256-member group), so one round trip and one commit per notification cost more than the request's own write.
/// PostgreSQL delivers identical notifications of one transaction once; that is harmless here, since a notification
/// only names ids for the receiver to read.
/// </para>
/// </summary>
internal sealed class PostgresClusterBus(NpgsqlDataSource dataSource, ILogger<PostgresClusterBus> logger)
    : ClusterBusBase(logger), IHostedService, IAsyncDisposable
{
    private const string ChannelName = "parley";

    /// <summary>Notifications per statement at most.</summary>
    private const int MaxBatch = 1_000;

    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<string> _outbox = System.Threading.Channels.Channel.CreateUnbounded<string>(
        new UnboundedChannelOptions { SingleReader = true });
    private Task? _loop;
    private Task? _sender;
    private bool _disposed;

    public override Task PublishAsync(string topic, string payload, CancellationToken cancellationToken)
    {
        if (!_outbox.Writer.TryWrite(topic + "|" + payload))
        {
            logger.LogDebug("Cluster notification on {Topic} dropped: the node is stopping", topic);
        }
        return Task.CompletedTask;
    }

    private async Task SendLoopAsync()
    {
        var batch = new List<string>();
        while (await _outbox.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _outbox.Reader.TryRead(out var notification))
            {
                batch.Add(notification);
            }
            try
            {
                await using var command = dataSource.CreateCommand(
                    "SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n");
                command.Parameters.AddWithValue(ChannelName);
                command.Parameters.AddWithValue(batch.ToArray());
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception exception)
            {
                // Best effort, like the channel itself: receivers recover by reading the database (sync, resynchronise).
                logger.LogWarning(exception, "{Count} cluster notifications could not be sent", batch.Count);
            }
            batch.Clear();
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _sender = Task.Run(SendLoopAsync, CancellationToken.None);
        _loop = Task.Run(() => ListenLoopAsync(_stopping.Token), CancellationToken.None);
        // Start-up waits for the first LISTEN, so nothing published after the node is up is missed.
        await _listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return;
        }
        // What is queued still goes out; then the listener stops.
        _outbox.Writer.TryComplete();
        if (_sender is not null)
        {
            await _sender.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task ListenLoopAsync(CancellationToken stopping)
    {
        var first = true;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) => OnNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChannelName}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }
                _listening.TrySetResult();
                if (!first)
                {
                    logger.LogWarning("Cluster channel re-established; resynchronising");
                    await RaiseResynchronizeAsync();
                }
                first = false;
                while (!stopping.IsCancellationRequested)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Cluster channel lost; reconnecting");
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(string payload)
    {
        var split = payload.IndexOf('|', StringComparison.Ordinal);
        if (split > 0)
        {
            // Off the connection's thread, so a slow handler never stalls the channel.
            _ = Task.Run(() => DispatchAsync(payload[..split], payload[(split + 1)..]));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _outbox.Writer.TryComplete();
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }
}
