using System.Diagnostics;

namespace Parley.Bench;

internal sealed record Throughput(long Operations, TimeSpan Elapsed, long Errors)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;
}

internal sealed record Latencies(IReadOnlyList<double> Milliseconds, long Errors, double AchievedRate)
{
    public double Percentile(double p)
    {
        if (Milliseconds.Count == 0)
        {
            return double.NaN;
        }
        var sorted = Milliseconds.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
    }

    public double Max => Milliseconds.Count == 0 ? double.NaN : Milliseconds.Max();
}

/// <summary>The two shapes of load: closed-loop saturation, and an open-loop fixed rate with per-request latency.</summary>
internal static class Load
{
    /// <summary>
    /// Runs <paramref name="workers"/> loops as fast as they go for <paramref name="duration"/> after a warm-up;
    /// <paramref name="measuring"/> is called when the measured window opens (to sample CPU times, say).
    /// </summary>
    public static async Task<Throughput> SaturateAsync(int workers, TimeSpan warmup, TimeSpan duration, Func<int, long, Task<bool>> operation,
        Action? measuring = null)
    {
        long done = 0, errors = 0;
        var counting = false;
        var stopAt = DateTime.UtcNow + warmup + duration;
        var clock = new Stopwatch();
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            for (long n = 0; DateTime.UtcNow < stopAt; n++)
            {
                var ok = await operation(w, n);
                if (Volatile.Read(ref counting))
                {
                    Interlocked.Increment(ref ok ? ref done : ref errors);
                }
            }
        })).ToList();
        await Task.Delay(warmup);
        measuring?.Invoke();
        clock.Start();
        Volatile.Write(ref counting, true);
        await Task.WhenAll(tasks);
        clock.Stop();
        return new Throughput(done, clock.Elapsed, errors);
    }

    /// <summary>Starts operations at a fixed rate regardless of how long each takes, and records each one's latency.</summary>
    public static async Task<Latencies> AtRateAsync(double perSecond, TimeSpan duration, Func<long, Task<bool>> operation)
    {
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        long errors = 0;
        var total = (long)(perSecond * duration.TotalSeconds);
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>((int)Math.Min(total, 1_000_000));
        for (long n = 0; n < total; n++)
        {
            var due = TimeSpan.FromSeconds(n / perSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            var index = n;
            inFlight.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await operation(index);
                if (ok)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }));
        }
        await Task.WhenAll(inFlight);
        return new Latencies([.. latencies], errors, total / clock.Elapsed.TotalSeconds);
    }
}
