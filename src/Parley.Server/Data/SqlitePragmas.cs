using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Parley.Server.Data;

/// <summary>
/// Per-connection SQLite settings, applied whenever EF opens a connection: durability (<c>Database:Durability</c>:
/// <c>full</c> fsyncs every commit, <c>normal</c> survives a process crash but may lose the last commits on power
/// loss), the busy timeout writers wait for the lock, and foreign keys.
/// </summary>
internal sealed class SqlitePragmas(string durability, int busyTimeoutMs) : DbConnectionInterceptor
{
    private readonly string _sql =
        $"PRAGMA synchronous={(string.Equals(durability, "normal", StringComparison.OrdinalIgnoreCase) ? "NORMAL" : "FULL")};" +
        $"PRAGMA busy_timeout={busyTimeoutMs};PRAGMA foreign_keys=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = _sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = _sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
