using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Http;

namespace Parley.Server.Platform.RateLimiting;

internal sealed record RatePolicy(string Name, int Limit, int WindowSeconds);

internal readonly record struct RateDecision(bool Allowed, RatePolicy Policy, int Remaining, TimeSpan Reset);

/// <summary>
/// Per-node rate limits in fixed windows, per policy and partition (a caller or a client IP). With N nodes a caller
/// may reach N × a limit; caps that must be exact deployment-wide are counted in the database instead.
/// Every policy is configuration: <c>Limits:Rates:&lt;name&gt;:Limit</c> and <c>:WindowSeconds</c>.
/// </summary>
internal sealed class RateLimiter(TimeProvider time, IOptionsMonitor<ParleyOptions> options)
{
    /// <summary>The defaults of conventions.md and the module specs.</summary>
    public static readonly IReadOnlyDictionary<string, RatePolicy> Defaults = new[]
    {
        new RatePolicy("agent-send", 60, 1),
        new RatePolicy("group-send", 20, 1),
        new RatePolicy("register", 5, 3600),
        new RatePolicy("register-verify", 10, 600),
        new RatePolicy("recover", 3, 3600),
        new RatePolicy("directory", 60, 60),
        new RatePolicy("room-write", 120, 60),
        new RatePolicy("room-read", 300, 60),
        new RatePolicy("room-upload", 20, 60),
        new RatePolicy("lease-renew", 200, 60),
        new RatePolicy("auth", 30, 60),
        new RatePolicy("device-pairing", 10, 3600),
        new RatePolicy("device-approve", 10, 60),
        new RatePolicy("trigger-call", 60, 60),
    }.ToDictionary(p => p.Name, StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(string Policy, string Partition), Window> _windows = new();

    public RatePolicy Policy(string name)
    {
        var configured = options.CurrentValue.Limits.Rates;
        if (configured.TryGetValue(name, out var rate) && rate.Limit > 0)
        {
            return new RatePolicy(name, rate.Limit, Math.Max(1, rate.WindowSeconds));
        }
        return Defaults.TryGetValue(name, out var policy) ? policy : throw new ArgumentException($"Unknown rate policy '{name}'.", nameof(name));
    }

    public RateDecision Acquire(string policyName, string partition)
    {
        var policy = Policy(policyName);
        var now = time.NowMs();
        var windowMs = policy.WindowSeconds * 1000L;
        var start = now - (now % windowMs);
        var reset = TimeSpan.FromMilliseconds(start + windowMs - now);
        var window = _windows.GetOrAdd((policyName, partition), static _ => new Window());
        lock (window)
        {
            if (window.Start != start)
            {
                window.Start = start;
                window.Count = 0;
            }
            if (window.Count >= policy.Limit)
            {
                return new RateDecision(false, policy, 0, reset);
            }
            window.Count++;
            return new RateDecision(true, policy, policy.Limit - window.Count, reset);
        }
    }

    /// <summary>Forgets windows that have ended (run by a background job).</summary>
    public int Sweep()
    {
        var now = time.NowMs();
        var removed = 0;
        foreach (var (key, window) in _windows)
        {
            var windowMs = Policy(key.Policy).WindowSeconds * 1000L;
            if (window.Start + windowMs <= now && _windows.TryRemove(key, out _))
            {
                removed++;
            }
        }
        return removed;
    }

    private sealed class Window
    {
        public long Start;
        public int Count;
    }
}

/// <summary>
/// A request's (or any unit of work's) rate limits: takes a permit per call and throws <c>RATE_LIMITED</c> when there
/// is none. It remembers the last decision, which the HTTP edge turns into the <c>RateLimit</c> and
/// <c>RateLimit-Policy</c> headers (<see cref="RateLimitHeaders"/>); services that enforce limits know nothing of HTTP.
/// </summary>
internal sealed class RateLimits(RateLimiter limiter)
{
    public RateDecision? Last { get; private set; }

    /// <summary>Takes one permit of <paramref name="policyName"/> for <paramref name="partition"/> (a caller key, a group…).</summary>
    public void Enforce(string policyName, string partition)
    {
        var decision = limiter.Acquire(policyName, partition);
        Last = decision;
        if (!decision.Allowed)
        {
            throw ApiErrors.RateLimited(decision.Policy.Limit, decision.Policy.WindowSeconds, decision.Reset);
        }
    }
}

/// <summary>Writes the last rate-limit decision of a request as its <c>RateLimit</c> and <c>RateLimit-Policy</c> headers, whatever the answer.</summary>
internal static class RateLimitHeaders
{
    public static IApplicationBuilder UseRateLimitHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var context = (HttpContext)state;
                if (context.RequestServices.GetService<RateLimits>()?.Last is { } decision)
                {
                    var resetSeconds = Math.Max(1, (int)Math.Ceiling(decision.Reset.TotalSeconds));
                    var headers = context.Response.Headers;
                    headers[ParleyHeaders.RateLimitPolicy] = string.Create(CultureInfo.InvariantCulture,
                        $"\"{decision.Policy.Name}\";q={decision.Policy.Limit};w={decision.Policy.WindowSeconds}");
                    headers[ParleyHeaders.RateLimit] = string.Create(CultureInfo.InvariantCulture,
                        $"\"{decision.Policy.Name}\";r={decision.Remaining};t={resetSeconds}");
                }
                return Task.CompletedTask;
            }, context);
            return next(context);
        });
}

internal static class RateLimitEndpointExtensions
{
    /// <summary>Applies a rate policy, partitioned by caller (or client IP), to an endpoint or a group.</summary>
    public static TBuilder RateLimited<TBuilder>(this TBuilder builder, string policyName) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint => endpoint.Metadata.Add(new RatePolicyMetadata(policyName)));
        return builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var options = http.RequestServices.GetRequiredService<IOptionsMonitor<ParleyOptions>>().CurrentValue;
            http.RequestServices.GetRequiredService<RateLimits>().Enforce(policyName, CallerKeys.Of(http, options));
            return await next(context);
        });
    }
}

/// <summary>Tells the OpenAPI document that an endpoint can answer <c>RATE_LIMITED</c>.</summary>
internal sealed record RatePolicyMetadata(string PolicyName);
