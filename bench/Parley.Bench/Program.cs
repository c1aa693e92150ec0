using System.Diagnostics;

namespace Parley.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Parley.Bench -- all [--quick] [--postgres "Host=…"] [--only postgres] [--out bench/results]</c>
/// Starts a real server per provider (SQLite full, SQLite normal, PostgreSQL when given), pinned to CPU 0, drives it
/// from this process pinned to CPU 1, and writes a report with every figure's ratio to the same run's raw-HTTP baseline.
/// </summary>
internal static class Program
{
    private static readonly string[] All = ["send", "latency", "fanout", "drain", "claims", "idle", "gateway", "peer", "flat"];

    public static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var postgres = Value(args, "--postgres") ?? Environment.GetEnvironmentVariable("PARLEY_BENCH_POSTGRES");
        var output = Value(args, "--out") ?? Path.Combine(FindRoot(), "bench", "results");
        var only = Value(args, "--only");
        var selected = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)
            && Value(args, "--postgres") != a && Value(args, "--out") != a && only != a) ?? "all";
        var scenarios = selected == "all" ? All : selected.Split(',');
        var budget = TimeSpan.FromMinutes(quick ? 15 : 45);
        using var timeout = new CancellationTokenSource(budget);

        var files = Native.RaiseOpenFiles(65_536);
        var pinned = Native.PinTo(1);
        var machine = $"{Environment.ProcessorCount} CPUs, {Environment.OSVersion}, .NET {Environment.Version}, open files {files}{(pinned ? "" : ", NOT pinned (fewer than 2 CPUs)")}";
        Console.WriteLine($"parley bench ({(quick ? "quick" : "full")}): {string.Join(", ", scenarios)} — {machine}");

        var providers = new List<Provider> { Provider.SqliteFull, Provider.SqliteNormal };
        if (postgres is not null)
        {
            providers.Add(Provider.Postgres);
        }
        if (only is not null)
        {
            // One provider only: sqlite-full, sqlite-normal or postgres.
            providers = providers.Where(p => string.Equals(Key(p), only, StringComparison.OrdinalIgnoreCase)).ToList();
        }
        var runs = new List<ProviderRun>();
        foreach (var provider in providers)
        {
            if (timeout.IsCancellationRequested)
            {
                Console.WriteLine("time budget spent; stopping");
                break;
            }
            // The budget is checked between scenarios, so a provider cut short still reports what it measured.
            runs.Add(await RunProviderAsync(provider, postgres, scenarios, quick, timeout.Token));
        }
        var (md, json) = Report.Write(output, runs, quick ? "quick" : "full", machine);
        Console.WriteLine($"report: {md}\n        {json}");
        return 0;
    }

    private static async Task<ProviderRun> RunProviderAsync(Provider provider, string? postgres, string[] scenarios, bool quick, CancellationToken budget)
    {
        var name = provider switch
        {
            Provider.SqliteFull => "SQLite, Database:Durability=full",
            Provider.SqliteNormal => "SQLite, Database:Durability=normal",
            _ => "PostgreSQL",
        };
        Console.WriteLine($"== {name}");
        await using var server = await BenchServer.StartAsync(provider, postgres, serverCpu: 0);
        var api = new Api(server.Address);
        await api.OwnerAsync();
        var run = new Scenarios(api, server, quick);
        var me = Process.GetCurrentProcess();
        var started = Stopwatch.StartNew();
        var cpuBefore = me.TotalProcessorTime;
        var serverCpuBefore = server.CpuTime();
        var figures = new List<Figure>();
        var raw = await run.RawHttpAsync();
        figures.Add(raw);
        Print(raw);
        foreach (var scenario in scenarios)
        {
            if (budget.IsCancellationRequested)
            {
                Console.WriteLine($"time budget spent; {scenario} and what follows it left out");
                break;
            }
            IReadOnlyList<Figure> result = scenario switch
            {
                "send" => await run.DirectSendAsync(raw.Value),
                "latency" => await run.DeliveryLatencyAsync(),
                "fanout" => await run.FanOutAsync(),
                "drain" => await run.SyncDrainAsync(),
                "claims" => await run.TaskClaimsAsync(raw.Value),
                "idle" => await run.IdleConnectionsAsync(),
                "gateway" => await run.GatewayAsync(),
                "peer" => await run.PeerAsync(postgres),
                "flat" => await run.FlatAsync(),
                _ => throw new ArgumentException($"unknown scenario {scenario}"),
            };
            foreach (var figure in result)
            {
                Print(figure);
            }
            figures.AddRange(result);
        }
        me.Refresh();
        var elapsed = started.Elapsed;
        return new ProviderRun(name, figures, (me.TotalProcessorTime - cpuBefore) / elapsed * 100, (server.CpuTime() - serverCpuBefore) / elapsed * 100, elapsed);
    }

    private static string Key(Provider provider) => provider switch
    {
        Provider.SqliteFull => "sqlite-full",
        Provider.SqliteNormal => "sqlite-normal",
        _ => "postgres",
    };

    private static void Print(Figure f) =>
        Console.WriteLine($"  {f.Scenario,-20} {f.Metric,-55} {f.Value,10:F2} {f.Unit,-6} {(f.Ratio is { } r ? $"ratio {r:F3}" : "")} {f.Note}");

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Parley.slnx")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
