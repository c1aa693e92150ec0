using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Parley.Server.Data;

/// <summary>
/// Per-connection SQLite settings: durability (<c>Database:Durability</c>: <c>full</c> fsyncs every commit,
/// <c>normal</c> survives a process crash but may lose the last commits on power loss), the busy timeout writers of
/// other processes wait for the lock, and foreign keys. Pooled connections keep their native handle between opens,
/// and the settings live on that handle, so they are applied once per handle rather than on every open.
/// </summary>
internal sealed class SqlitePragmas(string durability, int busyTimeoutMs) : DbConnectionInterceptor
{
    private readonly ConditionalWeakTable<object, object> _configured = [];
    private readonly string _sql =
        $"PRAGMA synchronous={(string.Equals(durability, "normal", StringComparison.OrdinalIgnoreCase) ? "NORMAL" : "FULL")};" +
        $"PRAGMA busy_timeout={busyTimeoutMs};PRAGMA foreign_keys=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (FirstOpen(connection))
        {
            Apply(connection);
        }
    }

    /// <summary>Applies the settings to an open connection that EF did not open.</summary>
    public void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (FirstOpen(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = _sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || _configured.TryAdd(handle, handle);
}
