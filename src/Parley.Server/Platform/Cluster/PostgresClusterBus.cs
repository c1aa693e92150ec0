using Npgsql;

namespace Parley.Server.Platform.Cluster;

/// <summary>
/// PostgreSQL's own LISTEN/NOTIFY on channel <c>parley</c>; a payload is <c>&lt;topic&gt;|&lt;ids&gt;</c>. One connection per
/// node listens; when it drops, the node reconnects, then raises <c>Resynchronize</c> because notifications sent in
/// between are lost.
/// </summary>
internal sealed class PostgresClusterBus(NpgsqlDataSource dataSource, ILogger<PostgresClusterBus> logger)
    : ClusterBusBase(logger), IHostedService, IAsyncDisposable
{
    private const string Channel = "parley";
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private bool _disposed;

    public override async Task PublishAsync(string topic, string payload, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_notify($1, $2)");
        command.Parameters.AddWithValue(Channel);
        command.Parameters.AddWithValue(topic + "|" + payload);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
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
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
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
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }
}
