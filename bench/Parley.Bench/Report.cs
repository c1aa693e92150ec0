using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Parley.Bench;

internal sealed record ProviderRun(string Provider, IReadOnlyList<Figure> Figures, double GeneratorCpuPercent, double ServerCpuPercent, TimeSpan Elapsed);

internal sealed record Goal(string Scenario, string Metric, string Target, Func<IReadOnlyList<Figure>, (bool Met, string Actual)> Check)
{
    /// <summary>The provider runs the goal is about (by the start of their name); null for all.</summary>
    public string? Only { get; init; }
}

/// <summary>Writes <c>bench/results/&lt;date&gt;.md</c> and <c>.json</c>.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static readonly IReadOnlyList<Goal> Goals =
    [
        new("direct-message send", "sends/s", "≥ 0.25 × raw HTTP req/s (SQLite, full)", f =>
            Find(f, "direct-message send", "sends/s") is { } s ? (s.Ratio >= 0.25, $"{s.Ratio:F3} ×") : (false, "n/a")),
        new("direct-message send", "p99 at half rate", "≤ 20 ms", f =>
            Find(f, "direct-message send", "p99") is { } s ? (s.Value <= 20, $"{s.Value:F1} ms") : (false, "n/a")),
        new("delivery latency", "p99", "≤ 10 ms at 1,000 msg/s", f =>
            Find(f, "delivery latency", "p99") is { } s ? (s.Value <= 10, $"{s.Value:F1} ms") : (false, "n/a")),
        new("group fan-out", "to all 255", "≤ 100 ms", f =>
            Find(f, "group fan-out", "p50") is { } s ? (s.Value <= 100, $"{s.Value:F1} ms (p50)") : (false, "n/a")),
        new("sync drain", "10,000 deliveries", "≤ 1 s", f =>
            Find(f, "sync drain", "drain") is { } s ? (s.Value <= 1000, $"{s.Value:F0} ms") : (false, "n/a")),
        new("idle connections", "per socket", "≤ 32 KiB", f =>
            Find(f, "idle connections", "memory") is { } s ? (s.Value <= 32, $"{s.Value:F1} KiB") : (false, "n/a")),
        // Performance, round two (docs/architecture.md#performance): wrk's figures, as the goals were set with wrk.
        new("direct-message send (wrk, 64 pairs)", "sends/s", "≥ 0.25 × its raw GET (SQLite, full)", f =>
            Find(f, "peer", "Parley sends/s, 64 pairs") is { } s ? (s.Ratio >= 0.25, $"{s.Ratio:F3} × ({s.Value:F0} msg/s)") : (false, "n/a")) { Only = "SQLite, Database:Durability=full" },
        new("direct-message send (wrk, 64 pairs)", "sends/s", "≥ 0.08 × its raw GET (PostgreSQL)", f =>
            Find(f, "peer", "Parley sends/s, 64 pairs") is { } s ? (s.Ratio >= 0.08, $"{s.Ratio:F3} × ({s.Value:F0} msg/s)") : (false, "n/a")) { Only = "PostgreSQL" },
        new("direct-message send", "server + database CPU per send", "≤ 1.5 ms (PostgreSQL)", f =>
            Find(f, "direct-message send", "server + database CPU") is { } s ? (s.Value <= 1.5, $"{s.Value:F2} ms") : (false, "n/a")) { Only = "PostgreSQL" },
        new("task claims", "claims/s", "≥ 0.05 × raw HTTP (PostgreSQL)", f =>
            Find(f, "task claims", "claims/s") is { } s ? (s.Ratio >= 0.05, $"{s.Ratio:F3} ×") : (false, "n/a")) { Only = "PostgreSQL" },
        new("flat cost", "send CPU with 1M more messages", "≤ 1.2 × before", f =>
            Find(f, "flat cost", "send CPU") is { } s ? (s.Value <= 1.2, $"{s.Value:F2} ×") : (false, "n/a")),
        new("flat cost", "sync with 1M more messages", "≤ 1.2 × before", f =>
            Find(f, "flat cost", "sync") is { } s ? (s.Value <= 1.2, $"{s.Value:F2} ×") : (false, "n/a")),
    ];

    private static Figure? Find(IReadOnlyList<Figure> figures, string scenario, string metricStart) =>
        figures.FirstOrDefault(f => f.Scenario == scenario && f.Metric.StartsWith(metricStart, StringComparison.Ordinal));

    public static (string Markdown, string Json) Write(string directory, IReadOnlyList<ProviderRun> runs, string mode, string machine)
    {
        var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd-HHmm", CultureInfo.InvariantCulture);
        Directory.CreateDirectory(directory);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark report {stamp} UTC ({mode})");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}. Server (and PostgreSQL, when scripts/bench.sh started it) pinned to CPU 0, load generator (this harness, or wrk) to CPU 1, both for the baseline and every scenario; the server runs optimised code from the start (DOTNET_TieredCompilation=0, docs/operations.md \"One CPU\"); traffic on loopback only.");
        md.AppendLine("Ratios are against the raw-HTTP baseline measured in the same provider run, on the same server process.");
        md.AppendLine();
        foreach (var run in runs)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## {run.Provider}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Generator CPU {run.GeneratorCpuPercent:F0} % of its core, server CPU {run.ServerCpuPercent:F0} % of its core (averages over the run, {run.Elapsed.TotalSeconds:F0} s).");
            md.AppendLine();
            md.AppendLine("| scenario | figure | value | ratio to baseline | note |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var f in run.Figures)
            {
                var ratio = f.Ratio is { } r ? $"{r:F3} × {f.Baseline}" : "";
                md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Scenario} | {f.Metric} | {f.Value.ToString(f.Unit is "×" or "ms" ? "F2" : "F1", CultureInfo.InvariantCulture)} {f.Unit} | {ratio} | {f.Note} |");
            }
            md.AppendLine();
            md.AppendLine("| goal | target | measured | met |");
            md.AppendLine("|---|---|---|---|");
            foreach (var goal in Goals.Where(g => g.Only is null || run.Provider == g.Only))
            {
                var (met, actual) = goal.Check(run.Figures);
                md.AppendLine(CultureInfo.InvariantCulture, $"| {goal.Scenario}: {goal.Metric} | {goal.Target} | {actual} | {(met ? "yes" : "no")} |");
            }
            md.AppendLine();
        }
        var json = JsonSerializer.Serialize(new { stamp, mode, machine, runs = runs.Select(r => new { r.Provider, r.GeneratorCpuPercent, r.ServerCpuPercent, ElapsedSeconds = r.Elapsed.TotalSeconds, r.Figures }) }, Indented);
        var basePath = Path.Combine(directory, stamp);
        File.WriteAllText(basePath + ".md", md.ToString());
        File.WriteAllText(basePath + ".json", json);
        return (basePath + ".md", basePath + ".json");
    }
}
