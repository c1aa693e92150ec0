using Parley.Server.Data;

namespace Parley.Server.Gateway.Calls;

/// <summary>
/// Fixed-window counters in the database (<c>gateway_windows</c>), exact across nodes: one statement takes a unit
/// only while the window has room — <c>INSERT … ON CONFLICT DO UPDATE … WHERE count &lt; limit RETURNING count</c>, which
/// both PostgreSQL and SQLite run atomically — and returns nothing when it is full. Taken inside the call's admission
/// write, so a call refused later in that write (another limit, the quota, credits) takes nothing.
/// </summary>
internal static class Windows
{
    /// <summary>Takes one unit of the window that holds <paramref name="now"/>; false when it is full.</summary>
    public static async Task<bool> TryTakeAsync(ParleyDb db, string key, long windowMs, long limit, long now, CancellationToken ct)
    {
        var start = now - (now % windowMs);
        var taken = await Sql.QueryAsync(db,
            "INSERT INTO gateway_windows (key, window_start, count, expires_at) VALUES (@p0, @p1, 1, @p2) " +
            "ON CONFLICT (key, window_start) DO UPDATE SET count = gateway_windows.count + 1 WHERE gateway_windows.count < @p3 " +
            "RETURNING count", r => r.GetInt64(0), ct, key, start, start + windowMs, limit);
        return taken.Count == 1;
    }

    /// <summary>When the window holding <paramref name="now"/> ends.</summary>
    public static TimeSpan UntilEnd(long windowMs, long now) => TimeSpan.FromMilliseconds(windowMs - (now % windowMs));
}
