using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Parley.Server.Data;

/// <summary>
/// Plain SQL on the context's own connection and transaction, for the few hot paths (authentication, the send
/// transaction, the delivery pump) where EF Core's per-query pipeline costs more than the database does: measured,
/// it was most of the server's CPU per send. Parameters are <c>@p0</c>, <c>@p1</c>… in order; the SQL must read the
/// same on SQLite and PostgreSQL (snake_case names, <c>ON CONFLICT</c>, <c>RETURNING</c>). Everything else uses EF.
/// </summary>
internal static class Sql
{
    public static async Task<int> ExecuteAsync(ParleyDb db, string sql, CancellationToken ct, params object?[] args)
    {
        await using var lease = await OpenAsync(db, ct);
        await using var command = Command(db, sql, args);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<List<T>> QueryAsync<T>(ParleyDb db, string sql, Func<DbDataReader, T> map, CancellationToken ct, params object?[] args)
    {
        await using var lease = await OpenAsync(db, ct);
        await using var command = Command(db, sql, args);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(map(reader));
        }
        return rows;
    }

    public static async Task<T?> SingleOrDefaultAsync<T>(ParleyDb db, string sql, Func<DbDataReader, T> map, CancellationToken ct, params object?[] args)
    {
        var rows = await QueryAsync(db, sql, map, ct, args);
        return rows.Count == 0 ? default : rows[0];
    }

    public static string? NullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>Booleans are integers in SQLite and booleans in PostgreSQL.</summary>
    public static bool Boolean(this DbDataReader reader, int ordinal) => Convert.ToBoolean(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

    private static DbCommand Command(ParleyDb db, string sql, object?[] args)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        for (var i = 0; i < args.Length; i++)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            parameter.Value = args[i] ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>Opens the connection for the call when EF has not (outside a transaction), and closes it after.</summary>
    private static async Task<IAsyncDisposable> OpenAsync(ParleyDb db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State == ConnectionState.Open)
        {
            return NoLease.Instance;
        }
        await db.Database.OpenConnectionAsync(ct);
        return new Lease(db);
    }

    private sealed class NoLease : IAsyncDisposable
    {
        public static readonly NoLease Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Lease(ParleyDb db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await db.Database.CloseConnectionAsync();
    }
}
