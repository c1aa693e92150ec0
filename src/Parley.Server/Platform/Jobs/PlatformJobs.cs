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

/// <summary>Forgets this node's ended rate-limit windows each minute (wall clock). Per node by nature: no lease.</summary>
internal sealed class RateWindowSweeper(RateLimiter limiter) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var ticker = new PeriodicTimer(TimeSpan.FromMinutes(1));
        try
        {
            while (await ticker.WaitForNextTickAsync(stoppingToken))
            {
                limiter.Sweep();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
