using System.Globalization;
using System.Text;

namespace Parley.Server.Platform.Text;

/// <summary>
/// Unicode Normalization Form C, for checking names the wire requires in NFC (room paths). The server runs with
/// invariant globalization, where <see cref="string.Normalize()"/> and <see cref="string.IsNormalized()"/> do not
/// normalise, so this carries its own data (<see cref="NfcData"/>, generated from the Unicode Character Database):
/// full canonical decomposition, canonical ordering, then canonical composition (UAX #15), with Hangul algorithmic.
/// </summary>
internal static class Nfc
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Lazy<Tables> Data = new(Load);

    /// <summary>Whether <paramref name="value"/> is already in NFC.</summary>
    public static bool IsNormalized(string value)
    {
        // Every code point below U+0300 is a starter that neither decomposes nor combines.
        if (value.All(c => c < 0x300))
        {
            return true;
        }
        return string.Equals(Normalize(value), value, StringComparison.Ordinal);
    }

    public static string Normalize(string value)
    {
        var tables = Data.Value;
        var points = new List<int>(value.Length);
        foreach (var rune in value.EnumerateRunes())
        {
            Decompose(tables, rune.Value, points);
        }
        Reorder(tables, points);
        Compose(tables, points);
        var builder = new StringBuilder(points.Count);
        foreach (var point in points)
        {
            builder.Append(char.ConvertFromUtf32(point));
        }
        return builder.ToString();
    }

    private static void Decompose(Tables tables, int point, List<int> into)
    {
        if (point is >= SBase and < SBase + SCount)
        {
            var index = point - SBase;
            into.Add(LBase + (index / NCount));
            into.Add(VBase + (index % NCount / TCount));
            if (index % TCount != 0)
            {
                into.Add(TBase + (index % TCount));
            }
            return;
        }
        if (tables.Decompositions.TryGetValue(point, out var parts))
        {
            foreach (var part in parts)
            {
                Decompose(tables, part, into);
            }
            return;
        }
        into.Add(point);
    }

    /// <summary>Sorts each run of non-starters by combining class, keeping equal classes in order.</summary>
    private static void Reorder(Tables tables, List<int> points)
    {
        for (var i = 1; i < points.Count; i++)
        {
            var point = points[i];
            var cc = tables.Class(point);
            if (cc == 0)
            {
                continue;
            }
            var j = i;
            while (j > 0 && tables.Class(points[j - 1]) > cc)
            {
                points[j] = points[j - 1];
                j--;
            }
            points[j] = point;
        }
    }

    private static void Compose(Tables tables, List<int> points)
    {
        if (points.Count < 2)
        {
            return;
        }
        var starterPos = 0;
        var starter = points[0];
        var lastClass = tables.Class(starter) == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < points.Count; read++)
        {
            var point = points[read];
            var cc = tables.Class(point);
            if ((lastClass < cc || lastClass == 0) && tables.Compose(starter, point) is { } composite)
            {
                points[starterPos] = composite;
                starter = composite;
                continue;
            }
            if (cc == 0)
            {
                starterPos = write;
                starter = point;
            }
            lastClass = cc;
            points[write++] = point;
        }
        points.RemoveRange(write, points.Count - write);
    }

    private static Tables Load()
    {
        var classes = new Dictionary<int, int>();
        foreach (var entry in NfcData.CombiningClasses.Split(';'))
        {
            var (range, cc) = Split(entry, ':');
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            var start = Hex(dash < 0 ? range : range[..dash]);
            var end = dash < 0 ? start : Hex(range[(dash + 1)..]);
            for (var p = start; p <= end; p++)
            {
                classes[p] = int.Parse(cc, CultureInfo.InvariantCulture);
            }
        }
        var excluded = NfcData.Exclusions.Split(';').Select(Hex).ToHashSet();
        var decompositions = new Dictionary<int, int[]>();
        var compositions = new Dictionary<(int, int), int>();
        foreach (var entry in NfcData.Decompositions.Split(';'))
        {
            var (point, parts) = Split(entry, ':');
            var code = Hex(point);
            var mapping = parts.Split(' ').Select(Hex).ToArray();
            decompositions[code] = mapping;
            if (mapping.Length == 2 && !excluded.Contains(code))
            {
                compositions[(mapping[0], mapping[1])] = code;
            }
        }
        return new Tables(classes, decompositions, compositions);
    }

    private static (string, string) Split(string entry, char separator)
    {
        var at = entry.IndexOf(separator, StringComparison.Ordinal);
        return (entry[..at], entry[(at + 1)..]);
    }

    private static int Hex(string value) => int.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private sealed record Tables(Dictionary<int, int> Classes, Dictionary<int, int[]> Decompositions, Dictionary<(int, int), int> Compositions)
    {
        public int Class(int point) => Classes.GetValueOrDefault(point);

        public int? Compose(int first, int second)
        {
            if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
            {
                return SBase + ((((first - LBase) * VCount) + (second - VBase)) * TCount);
            }
            if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
            {
                return first + (second - TBase);
            }
            return Compositions.TryGetValue((first, second), out var composite) ? composite : null;
        }
    }
}
