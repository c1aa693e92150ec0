using System.Globalization;
using Parley.Server.Platform;

namespace Parley.Server.Governance.Credits;

/// <summary>Credits on the wire and in configuration are decimals with at most six places; stored, whole micro-credits.</summary>
internal static class CreditAmount
{
    public const long MicrosPerCredit = 1_000_000;

    /// <summary>The most credits one amount may name (keeps every sum far inside a 64-bit count of micro-credits).</summary>
    public const decimal Max = 1_000_000_000_000m;

    public static decimal ToCredits(long micros) => micros / (decimal)MicrosPerCredit;

    /// <summary>Micro-credits, rounding a finer amount up (a price never rounds down to free).</summary>
    public static long ToMicros(decimal credits) => (long)decimal.Ceiling(credits * MicrosPerCredit);

    public static bool HasAtMostSixPlaces(decimal credits) => decimal.Round(credits, 6) == credits;

    /// <summary>A configured amount in credits (<c>1</c>, <c>0.25</c>); anything else stops the server at start.</summary>
    public static decimal Parse(string raw, string key)
    {
        if (!decimal.TryParse(raw, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || value < 0 || value > Max
            || !HasAtMostSixPlaces(value))
        {
            throw new ConfigurationException($"{key} must be a number of credits from 0 to {Max} with at most six decimals, not '{raw}'.");
        }
        return value;
    }
}
