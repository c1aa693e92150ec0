using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace Parley.Server.Dashboard;

/// <summary>
/// Charts drawn on the server as SVG (no script): a usage bar against its limit, and a column chart of daily counts.
/// Each carries a text equivalent (<c>role="img"</c> with a label) for screen readers.
/// </summary>
internal static class Charts
{
    /// <summary>A horizontal bar: <paramref name="count"/> of <paramref name="limit"/> (no limit: the count only).</summary>
    public static IHtmlContent UsageBar(string meter, long count, long? limit)
    {
        var share = limit is > 0 ? Math.Min(1.0, (double)count / limit.Value) : 0;
        var level = share >= 1 ? "full" : share >= 0.8 ? "high" : "ok";
        var label = limit is > 0 ? $"{meter}: {count:N0} of {limit.Value:N0} ({share:P0})" : $"{meter}: {count:N0} (no limit)";
        var width = (share * 300).ToString("0.#", CultureInfo.InvariantCulture);
        return new HtmlString(
            $"""<svg class="bar {level}" viewBox="0 0 300 14" width="300" height="14" role="img" aria-label="{Encode(label)}"><rect class="track" width="300" height="14" rx="3"/><rect class="fill" width="{width}" height="14" rx="3"/></svg>""");
    }

    /// <summary>Columns of daily counts, oldest left, scaled to the largest.</summary>
    public static IHtmlContent Daily(string meter, IReadOnlyList<(string Date, long Count)> days)
    {
        const int height = 80, column = 10, gap = 2;
        var max = Math.Max(1, days.Count == 0 ? 1 : days.Max(d => d.Count));
        var svg = new StringBuilder();
        var total = days.Sum(d => d.Count);
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg class="daily" viewBox="0 0 {days.Count * (column + gap)} {height}" height="{height}" role="img" aria-label="{Encode($"{meter}: {total:N0} over the last {days.Count} days")}">""");
        for (var i = 0; i < days.Count; i++)
        {
            var h = (int)Math.Round((double)days[i].Count / max * (height - 2));
            svg.Append(CultureInfo.InvariantCulture,
                $"""<rect x="{i * (column + gap)}" y="{height - h}" width="{column}" height="{h}"><title>{Encode(days[i].Date)}: {days[i].Count}</title></rect>""");
        }
        svg.Append("</svg>");
        return new HtmlString(svg.ToString());
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
