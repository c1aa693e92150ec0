using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;

namespace Parley.Server.Platform.Jobs;

/// <summary>A periodic piece of housekeeping. Modules register theirs with <c>AddBackgroundJob&lt;T&gt;()</c>.</summary>
internal interface IBackgroundJob
{
    string Name { get; }
    TimeSpan Interval { get; }

    /// <summary>Runs once, in its own DI scope. Returns a count of what it did, for logs.</summary>
    Task<int> RunAsync(CancellationToken cancellationToken);
}

/// <summary>A node's identity among the nodes sharing a database.</summary>
internal sealed class NodeIdentity(Ids ids)
{
    public string Id { get; } = ids.New("node");
}

/// <summary>
/// Runs background jobs so that, across every node on one database, one node runs each job at a time and no more
/// often than its interval: a node runs a job only after atomically taking its row in <c>job_leases</c>. A node that
/// dies mid-run loses the lease when it lapses. Due times and leases use the injected <see cref="TimeProvider"/>; only
/// the wake-up cadence is wall-clock, so a test that moves its clock by a day does not replay thousands of ticks.
/// </summary>
internal sealed class JobScheduler(
    IServiceScopeFactory scopes, IEnumerable<IBackgroundJob> registered, NodeIdentity node, TimeProvider time, ILogger<JobScheduler> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>One run of a job at a time on this node: a forced run waits for the node's own scheduled run to finish.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _running = new(StringComparer.Ordinal);

    public IReadOnlyList<string> JobNames => [.. registered.Select(j => j.Name)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var ticker = new PeriodicTimer(Tick);
        while (await WaitAsync(ticker, stoppingToken))
        {
            foreach (var job in registered)
            {
                try
                {
                    await RunIfDueAsync(job.Name, force: false, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    logger.LogError(exception, "Background job {Job} failed", job.Name);
                }
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer ticker, CancellationToken stoppingToken)
    {
        try
        {
            return await ticker.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Runs a job when it is due and no other node holds it. <paramref name="force"/> ignores the interval (never
    /// the lease); the test hook uses it. Returns null when the job did not run here.
    /// </summary>
    public async Task<int?> RunIfDueAsync(string name, bool force, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var job = scope.ServiceProvider.GetServices<IBackgroundJob>().FirstOrDefault(j => j.Name == name)
            ?? throw new ArgumentException($"No background job '{name}'.", nameof(name));
        var writes = scope.ServiceProvider.GetRequiredService<Writes>();
        var gate = _running.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!await TryTakeAsync(writes, job, force, cancellationToken))
            {
                return null;
            }
            try
            {
                var count = await job.RunAsync(cancellationToken);
                if (count > 0)
                {
                    logger.LogInformation("Background job {Job} handled {Count} items", job.Name, count);
                }
                return count;
            }
            finally
            {
                await writes.RunAsync(ct => writes.Db.JobLeases.Where(j => j.Name == name && j.Holder == node.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, 0L), ct), CancellationToken.None);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<bool> TryTakeAsync(Writes writes, IBackgroundJob job, bool force, CancellationToken cancellationToken)
    {
        var now = time.NowMs();
        var dueBefore = force ? long.MaxValue : now - (long)job.Interval.TotalMilliseconds;
        var until = now + (long)Lease.TotalMilliseconds;
        var taken = await writes.RunAsync(ct => writes.Db.JobLeases
            .Where(j => j.Name == job.Name && j.LeaseUntil <= now && j.LastRunAt <= dueBefore)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Holder, node.Id).SetProperty(j => j.LeaseUntil, until).SetProperty(j => j.LastRunAt, now), ct),
            cancellationToken);
        if (taken == 1)
        {
            return true;
        }
        try
        {
            return await writes.RunAsync(async ct =>
            {
                if (await writes.Db.JobLeases.AnyAsync(j => j.Name == job.Name, ct))
                {
                    return false;
                }
                writes.Db.JobLeases.Add(new JobLease { Name = job.Name, Holder = node.Id, LeaseUntil = until, LastRunAt = now });
                return true;
            }, cancellationToken);
        }
        catch (DbUpdateException e) when (writes.IsUniqueViolation(e))
        {
            return false;
        }
    }
}

internal static class BackgroundJobExtensions
{
    public static IServiceCollection AddBackgroundJob<T>(this IServiceCollection services) where T : class, IBackgroundJob =>
        services.AddScoped<IBackgroundJob, T>();
}
