using Parley.Server.Platform.Files;
using Parley.Server.Platform.Idempotency;
using Parley.Server.Platform.RateLimiting;

namespace Parley.Server.Platform.Jobs;

/// <summary>Deletes idempotency records past their 24 hours.</summary>
internal sealed class IdempotencyCleanupJob(IdempotencyStore store) : IBackgroundJob
{
    public string Name => "idempotency-cleanup";
    public TimeSpan Interval => TimeSpan.FromMinutes(10);
    public Task<int> RunAsync(CancellationToken cancellationToken) => store.DeleteExpiredAsync(cancellationToken);
}

/// <summary>Deletes pending uploads after 24 hours and quarantined files after 7 days.</summary>
internal sealed class FileCleanupJob(FileStore files) : IBackgroundJob
{
    public string Name => "file-cleanup";
    public TimeSpan Interval => TimeSpan.FromMinutes(10);
    public Task<int> RunAsync(CancellationToken cancellationToken) => files.CleanupAsync(cancellationToken);
}

/// <summary>Forgets this node's ended rate-limit windows. Per node by nature, so it takes no lease of its own.</summary>
internal sealed class RateWindowSweeper(RateLimiter limiter, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            limiter.Sweep();
        }
    }
}
