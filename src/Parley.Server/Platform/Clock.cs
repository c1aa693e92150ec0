namespace Parley.Server.Platform;

/// <summary>
/// Stored times are Unix milliseconds (a <c>long</c>) on both providers; this is the one way to read the injected
/// clock that way, to turn a stored time into a wire time, and to name a window.
/// </summary>
internal static class Clock
{
    public const long SecondMs = 1_000;
    public const long MinuteMs = 60 * SecondMs;
    public const long HourMs = 60 * MinuteMs;
    public const long DayMs = 24 * HourMs;
    public const int DaySeconds = 86_400;

    /// <summary>Now, in Unix milliseconds.</summary>
    public static long NowMs(this TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A stored time as the wire shows it.</summary>
    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? Time(long? ms) => ms is { } value ? Time(value) : null;
}
