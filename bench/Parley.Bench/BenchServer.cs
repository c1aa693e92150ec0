using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Npgsql;

namespace Parley.Bench;

/// <summary>A Parley server process for one provider, pinned to CPU 0, with its own data directory (or database).</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    /// <summary>Servers still running: killed if the harness ends any other way (an exception, a signal), never left behind.</summary>
    private static readonly HashSet<Process> Running = [];

    private static readonly PosixSignalRegistration[] Signals =
        [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }.Select(s => PosixSignalRegistration.Create(s, _ => KillRunning()))];

    static BenchServer()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillRunning();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillRunning();
    }

    private static void KillRunning()
    {
        lock (Running)
        {
            foreach (var process in Running)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It has exited already.
                }
            }
            Running.Clear();
        }
    }
    private readonly Process _process;
    private readonly string _directory;
    private readonly string? _database;

    private BenchServer(Process process, Uri address, string directory, string? database, Provider provider)
    {
        Provider = provider;
        _process = process;
        Address = address;
        _directory = directory;
        _database = database;
    }

    public Uri Address { get; }

    public Provider Provider { get; }

    /// <summary>
    /// The server's PostgreSQL pool size (<c>PARLEY_BENCH_POOL</c>, default 16). PostgreSQL shares CPU 0 with the server:
    /// with 200 connections and 64 concurrent senders, 64 backends contend for that core and sends collapse (31 msg/s
    /// against 224–336 with 4–16 connections, docs/architecture.md#performance).
    /// </summary>
    public static string PoolSize => Environment.GetEnvironmentVariable("PARLEY_BENCH_POOL") ?? "16";

    /// <summary>The server's SQLite file (with a SQLite provider).</summary>
    private string SqliteFile => Path.Combine(_directory, "parley.db");

    /// <summary>CPU time of the database's own processes so far (PostgreSQL's; SQLite runs inside the server).</summary>
    public TimeSpan DatabaseCpuTime() => Provider == Provider.Postgres ? Native.CpuOfProcessesNamed("postgres") : TimeSpan.Zero;

    /// <summary>The server's and its database's CPU time so far, to measure a stretch of load from.</summary>
    public (TimeSpan Server, TimeSpan Database) CpuMark() => (CpuTime(), DatabaseCpuTime());

    /// <summary>A connection of the harness's own to the server's database (SQLite beside the server, in WAL mode).</summary>
    public async Task<System.Data.Common.DbConnection> OpenDatabaseAsync()
    {
        System.Data.Common.DbConnection connection = Provider == Provider.Postgres
            ? new NpgsqlConnection(_database)
            : new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={SqliteFile};Default Timeout=60");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Drops a database of the PostgreSQL cluster, closing what still uses it.</summary>
    public static async Task DropDatabaseAsync(string anyDatabaseOfTheCluster, string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(anyDatabaseOfTheCluster) { Database = "postgres" }.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The gateway proxy's port of the server started last.</summary>
    public static int ProxyPort { get; private set; }
    public int Pid => _process.Id;

    public static async Task<BenchServer> StartAsync(Provider provider, string? postgresAdmin, int serverCpu)
    {
        var directory = Directory.CreateTempSubdirectory("parley-bench-").FullName;
        var port = FreePort();
        string? database = null;
        var args = new List<string>
        {
            Path.Combine(AppContext.BaseDirectory, "Parley.Server.dll"),
            $"--urls=http://127.0.0.1:{port}", $"--Storage:DataDirectory={directory}",
            $"--Security:MasterKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--Logging:LogLevel:Default=Warning", "--Limits:PasswordHashIterations=1000",
            // Load comes from one loopback address and a few agents: per-agent and per-IP limits would measure themselves.
            "--Limits:Rates:agent-send:Limit=10000000", "--Limits:Rates:group-send:Limit=10000000", "--Limits:Rates:auth:Limit=10000000",
            "--Limits:Rates:room-write:Limit=10000000", "--Limits:Rates:room-read:Limit=10000000", "--Limits:Rates:lease-renew:Limit=10000000",
            "--Limits:BacklogCap=1000000", "--Limits:BacklogWarning=1000000", "--Limits:GroupAddsPerDay=100000",
            // The gateway scenario calls an upstream on loopback, as fast as it can, through the call API and the proxy.
            "--Network:AllowPrivateAddresses=true", $"--Gateway:ProxyUrls=http://127.0.0.1:{ProxyPort = FreePort()}",
            "--Limits:Gateway:PerDomainPerMinute=100000000",
        };
        switch (provider)
        {
            case Provider.SqliteFull:
                args.Add("--Database:Durability=full");
                break;
            case Provider.SqliteNormal:
                args.Add("--Database:Durability=normal");
                break;
            case Provider.Postgres:
                database = await CreateDatabaseAsync(postgresAdmin!);
                args.AddRange(["--Database:Provider=postgres", $"--Database:ConnectionString={database};Maximum Pool Size={PoolSize}"]);
                break;
        }
        var start = new ProcessStartInfo("taskset") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(serverCpu.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add("dotnet");
        // Pinned to one CPU, .NET waits ten times longer before it optimises hot code (its tiering delay, 1 s instead of
        // 100 ms, restarted by every method compiled for the first time), and a short run measures unoptimised code:
        // claims ran at half their steady rate. Compiling optimised code at once measures the steady state a long-running
        // server reaches (docs/operations.md, "One CPU"; docs/architecture.md#performance).
        start.Environment["DOTNET_TieredCompilation"] = "0";
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        lock (Running)
        {
            Running.Add(process);
        }
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("server: " + e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new BenchServer(process, new Uri($"http://127.0.0.1:{port}"), directory, database, provider);
        using var http = new HttpClient { BaseAddress = server.Address };
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync("/readyz")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("The server did not start.");
    }

    /// <summary>Resident memory of the server process, from /proc.</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> CreateDatabaseAsync(string admin)
    {
        var name = "parley_bench_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        lock (Running)
        {
            Running.Remove(_process);
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (_database is not null && Environment.GetEnvironmentVariable("PARLEY_BENCH_KEEP_DATABASE") == "1")
        {
            // For looking into afterwards (EXPLAIN at a million messages, say): left in place, named here.
            Console.WriteLine($"kept PostgreSQL database: {_database}");
        }
        else if (_database is not null)
        {
            await DropDatabaseAsync(_database, new NpgsqlConnectionStringBuilder(_database).Database!);
        }
        Directory.Delete(_directory, recursive: true);
    }
}

internal enum Provider
{
    SqliteFull,
    SqliteNormal,
    Postgres,
}
