using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Parley.Bench;

/// <summary>
/// Parley beside a peer: the same persisted direct-message send load, from <c>wrk</c> with a Lua script that gives every
/// request a unique message, against Parley and against ejabberd (Debian's package, <c>bench/peer/</c>) on the same
/// storage (SQLite, or the same PostgreSQL cluster), each pinned to CPU 0 with <c>wrk</c> on CPU 1. One sender pair over
/// 16 connections, then 64 pairs over 64 connections; each server's raw GET rate measured by the same <c>wrk</c> first.
/// </summary>
internal sealed partial class Scenarios
{
    private sealed record WrkResult(double PerSecond, double P99Ms, long Requests, long Non2xx);

    private sealed record PeerRun(string Load, WrkResult Result, double CpuMsPerRequest);

    public async Task<IReadOnlyList<Figure>> PeerAsync(string? postgresAdmin)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [new Figure("peer", "skipped", 0, "", Note: "the peer (Debian's ejabberd) and wrk need Linux")];
        }
        var root = Program.FindRoot();
        var peer = Path.Combine(root, "bench", "peer");
        await RunAsync("bash", [Path.Combine(peer, "ejabberd.sh"), "install"], null);
        var version = (await RunAsync("bash", [Path.Combine(peer, "ejabberd.sh"), "version"], null)).Trim();
        var seconds = quick ? 5 : 15;
        var work = Directory.CreateTempSubdirectory("parley-peer-").FullName;
        // As root the peer runs as its own system user: the directory must be reachable for it.
        File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101);
        var figures = new List<Figure>();
        try
        {
            // Parley: one established pair, and 64.
            var one = Path.Combine(work, "parley-1.txt");
            var many = Path.Combine(work, "parley-64.txt");
            var pairs = new List<(BenchAgent A, BenchAgent B)>();
            for (var i = 0; i < 64; i++)
            {
                pairs.Add(await api.PairAsync());
            }
            await File.WriteAllLinesAsync(one, [$"{pairs[0].A.Key} {pairs[0].B.Handle}"]);
            await File.WriteAllLinesAsync(many, pairs.Select(p => $"{p.A.Key} {p.B.Handle}"));
            var parleyCpu = () => server.CpuTime() + server.DatabaseCpuTime();
            var parleyRaw = await WrkAsync(new Uri(server.Address, "/healthz"), 16, seconds, null, []);
            var sendUrl = new Uri(server.Address, "/v1/messages");
            var sendScript = Path.Combine(peer, "parley-send.lua");
            var parley = new List<PeerRun>();
            foreach (var (load, connections, file) in new[] { ("one pair, 16 connections", 16, one), ("64 pairs, 64 connections", 64, many) })
            {
                var env = new Dictionary<string, string> { ["PAIRS_FILE"] = file, ["RUN_ID"] = Guid.NewGuid().ToString("N")[..8] };
                await WrkAsync(sendUrl, connections, 2, sendScript, env); // warm-up
                parley.Add(await MeasuredAsync(load, () => WrkAsync(sendUrl, connections, seconds, sendScript, env), parleyCpu));
            }

            // The peer, on the same kind of storage.
            var port = BenchServer.FreePort();
            var dir = Path.Combine(work, "ejabberd");
            string? peerDatabase = null;
            List<string> start = [Path.Combine(peer, "ejabberd.sh"), "start", dir, port.ToString(CultureInfo.InvariantCulture)];
            if (server.Provider == Provider.Postgres)
            {
                peerDatabase = "ejabberd_bench_" + Guid.NewGuid().ToString("N")[..8];
                start.AddRange(["postgres", new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = peerDatabase }.ToString()]);
            }
            var pid = int.Parse((await RunAsync("bash", start, new() { ["PAIRS"] = "64", ["PEER_CPU"] = "0" })).Trim(), CultureInfo.InvariantCulture);
            var peerRuns = new List<PeerRun>();
            WrkResult peerRaw = null!;
            long stored, answered = 0, inFlight = 0;
            try
            {
                var peerCpu = () => Native.CpuOfProcess(pid) + server.DatabaseCpuTime();
                var address = new Uri($"http://127.0.0.1:{port}");
                peerRaw = await WrkAsync(new Uri(address, "/"), 16, seconds, null, []);
                var peerScript = Path.Combine(peer, "ejabberd-send.lua");
                foreach (var (load, connections, pairCount) in new[] { ("one pair, 16 connections", 16, "1"), ("64 pairs, 64 connections", 64, "64") })
                {
                    var env = new Dictionary<string, string> { ["PAIRS"] = pairCount };
                    var url = new Uri(address, "/api/send_message");
                    answered += (await WrkAsync(url, connections, 2, peerScript, env)).Requests; // warm-up
                    peerRuns.Add(await MeasuredAsync(load, () => WrkAsync(url, connections, seconds, peerScript, env), peerCpu));
                    answered += peerRuns[^1].Result.Requests;
                    inFlight += 2 * connections;
                }
            }
            finally
            {
                await RunAsync("bash", [Path.Combine(peer, "ejabberd.sh"), "stop", dir], null);
            }
            // Counted once it has stopped: every request it took, answered or in flight at a window's end, is in.
            try
            {
                stored = await SpoolRowsAsync(dir, postgresAdmin, peerDatabase);
            }
            finally
            {
                if (peerDatabase is not null)
                {
                    await BenchServer.DropDatabaseAsync(postgresAdmin!, peerDatabase);
                }
            }

            figures.Add(new Figure("peer", "Parley: raw GET /healthz (wrk, 16 connections)", parleyRaw.PerSecond, "req/s"));
            figures.Add(new Figure("peer", $"{version}: raw GET / (wrk, 16 connections)", peerRaw.PerSecond, "req/s", Note: "a 404 from its HTTP listener"));
            for (var i = 0; i < parley.Count; i++)
            {
                var (p, e) = (parley[i], peerRuns[i]);
                figures.Add(new Figure("peer", $"Parley sends/s, {p.Load}", p.Result.PerSecond, "msg/s", p.Result.PerSecond / parleyRaw.PerSecond, "its own raw GET",
                    $"p99 {p.Result.P99Ms:F1} ms, CPU {p.CpuMsPerRequest:F2} ms/send (server{(server.Provider == Provider.Postgres ? " + PostgreSQL" : "")}), {p.Result.Non2xx} non-2xx"));
                figures.Add(new Figure("peer", $"ejabberd sends/s, {e.Load}", e.Result.PerSecond, "msg/s", e.Result.PerSecond / peerRaw.PerSecond, "its own raw GET",
                    $"p99 {e.Result.P99Ms:F1} ms, CPU {e.CpuMsPerRequest:F2} ms/send (BEAM{(server.Provider == Provider.Postgres ? " + PostgreSQL" : "")}), {e.Result.Non2xx} non-2xx"));
                figures.Add(new Figure("peer", $"Parley ÷ ejabberd sends/s, {p.Load}", p.Result.PerSecond / e.Result.PerSecond, "×",
                    Note: $"relative to each one's raw GET: {p.Result.PerSecond / parleyRaw.PerSecond / (e.Result.PerSecond / peerRaw.PerSecond):F2} ×"));
            }
            // ejabberd answers 200 even where it stores nothing (an unknown recipient): check its spool held every send.
            figures.Add(new Figure("peer", "ejabberd: spool rows − sends answered (warm-ups included)", stored - answered, "rows",
                Note: $"{stored} rows, {answered} answered; between 0 and {inFlight} (requests in flight when a wrk run ended) is right"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return figures;
    }

    private static async Task<PeerRun> MeasuredAsync(string load, Func<Task<WrkResult>> run, Func<TimeSpan> cpu)
    {
        var before = cpu();
        var result = await run();
        var used = cpu() - before;
        return new PeerRun(load, result, used.TotalMilliseconds / Math.Max(1, result.Requests));
    }

    /// <summary>Runs <c>wrk</c> on CPU 1 (one thread) and reads its summary.</summary>
    private static async Task<WrkResult> WrkAsync(Uri url, int connections, int seconds, string? script, Dictionary<string, string> env)
    {
        List<string> args = ["-c", "1", "wrk", "-t1", $"-c{connections}", $"-d{seconds}s", "--latency", "--timeout", "10s"];
        if (script is not null)
        {
            args.AddRange(["-s", script]);
        }
        args.Add(url.ToString());
        var output = await RunAsync("taskset", args, env);
        double Number(string pattern) => double.Parse(Regex.Match(output, pattern, RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        var p99 = Regex.Match(output, @"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var p99Ms = double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture) * p99.Groups[2].Value switch { "us" => 0.001, "s" => 1000, _ => 1 };
        var non2xx = Regex.Match(output, @"Non-2xx or 3xx responses: (\d+)") is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new WrkResult(Number(@"^Requests/sec:\s+([\d.]+)"), p99Ms, (long)Number(@"^\s+(\d+) requests in"), non2xx);
    }

    private static async Task<string> RunAsync(string file, IEnumerable<string> args, Dictionary<string, string>? env)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in env ?? [])
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {await stderr}");
        }
        return await stdout;
    }

    private static async Task<long> SpoolRowsAsync(string dir, string? postgresAdmin, string? database)
    {
        if (database is null)
        {
            return long.Parse((await RunAsync("sqlite3", [Path.Combine(dir, "ejabberd.db"), "SELECT count(*) FROM spool"], null)).Trim(), CultureInfo.InvariantCulture);
        }
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(postgresAdmin) { Database = database, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM spool", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
