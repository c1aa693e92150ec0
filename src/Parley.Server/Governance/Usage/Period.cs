using System.Globalization;

namespace Parley.Server.Governance.Usage;

/// <summary>A calendar month in UTC: meters count within one, quotas reset and monthly credits expire at its end.</summary>
internal readonly record struct Period(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>The period's key in storage: <c>yyyy-MM</c>.</summary>
    public string Key => Start.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The day keys bounding the period: <c>FirstDay ≤ day &lt; NextFirstDay</c>.</summary>
    public string FirstDay => DayKey(Start);

    public string NextFirstDay => DayKey(End);

    public static Period Of(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var start = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return new Period(start, start.AddMonths(1));
    }

    public static Period Of(TimeProvider time) => Of(time.GetUtcNow());

    /// <summary>A day's key in storage and on the wire: <c>yyyy-MM-dd</c> (UTC).</summary>
    public static string DayKey(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
