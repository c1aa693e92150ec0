using System.Security.Cryptography;
using Npgsql;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// Several server processes on one fresh PostgreSQL database — the nodes of one deployment (`node-a`, `node-b`…, each
/// with its own data directory and the connection's application name <c>parley-node-…</c>). Without PostgreSQL it
/// starts nothing: tests that need several nodes return early on SQLite.
/// </summary>
public sealed class PostgresNodes : IAsyncDisposable
{
    private readonly List<string> _directories = [];
    private string? _database;

    public List<ServerProcess> Nodes { get; } = [];

    /// <summary>The database's connection string (for tests that reach into it).</summary>
    public string Database => _database ?? throw new InvalidOperationException("No PostgreSQL database: the run is on SQLite.");

    public static async Task<PostgresNodes> StartAsync(int count, params string[] settings)
    {
        var nodes = new PostgresNodes();
        if (!TestDatabase.IsPostgres)
        {
            return nodes;
        }
        nodes._database = await TestDatabase.CreatePostgresDatabaseAsync();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        foreach (var name in Enumerable.Range(0, count).Select(i => "node-" + (char)('a' + i)))
        {
            var directory = Directory.CreateTempSubdirectory("parley-" + name).FullName;
            nodes._directories.Add(directory);
            var port = ServerProcess.FreePort();
            var connection = new NpgsqlConnectionStringBuilder(nodes._database) { ApplicationName = "parley-" + name }.ToString();
            nodes.Nodes.Add(await ServerProcess.StartAsync(directory,
            [
                $"--urls=http://127.0.0.1:{port}", "--Database:Provider=postgres", $"--Database:ConnectionString={connection}",
                $"--Security:MasterKey={key}", $"--Storage:DataDirectory={directory}", "--Limits:PasswordHashIterations=1000",
                "--Logging:LogLevel:Default=Warning", .. settings,
            ], new Uri($"http://127.0.0.1:{port}")));
        }
        return nodes;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
        if (_database is not null)
        {
            await TestDatabase.DropPostgresDatabaseAsync(_database);
        }
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
