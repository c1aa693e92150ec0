using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Parley.Server.Data;

/// <summary>
/// Plain SQL on the context's own connection and transaction: the one way to write raw SQL (docs/architecture.md,
/// "Data access", says when). Parameters are <c>@p0</c>, <c>@p1</c>… in order; the SQL must read the same on SQLite
/// and PostgreSQL (snake_case names, <c>ON CONFLICT</c>, <c>RETURNING</c>). A table's select list and reader live
/// with the feature that owns the table, and read columns by name.
/// </summary>
internal static partial class Sql
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

    /// <summary>
    /// Runs several statements in one command — one round trip to PostgreSQL — in order, on the context's connection and
    /// transaction. Each statement numbers its own parameters from <c>@p0</c>; a <see cref="SqlQuery{T}"/> gets its rows.
    /// A statement that returns no rows (no <c>RETURNING</c>) has no result set on either provider; null entries are
    /// skipped, so a caller can leave out a statement that does not apply.
    /// </summary>
    public static async Task BatchAsync(ParleyDb db, CancellationToken ct, params SqlStatement?[] statements)
    {
        var present = statements.OfType<SqlStatement>().ToList();
        if (present.Count == 0)
        {
            return;
        }
        var text = new System.Text.StringBuilder();
        var args = new List<object?>();
        foreach (var statement in present)
        {
            var offset = args.Count;
            text.Append(offset == 0 ? statement.Text : ParameterPattern().Replace(statement.Text,
                m => "@p" + (offset + int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            text.Append(";\n");
            args.AddRange(statement.Args);
        }
        await using var lease = await OpenAsync(db, ct);
        await using var command = Command(db, text.ToString(), [.. args]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var first = true;
        foreach (var query in present.Where(p => p.ReturnsRows))
        {
            if (!first && !await reader.NextResultAsync(ct))
            {
                throw new InvalidOperationException("A batch returned fewer result sets than it has queries.");
            }
            first = false;
            while (await reader.ReadAsync(ct))
            {
                query.ReadRow(reader);
            }
        }
        // The statements after the last query (writes) run as the reader is drained.
        while (await reader.NextResultAsync(ct))
        {
        }
    }

    /// <summary>Runs one <see cref="SqlQuery{T}"/> (a statement a batch could also carry) and answers its rows.</summary>
    public static async Task<List<T>> QueryAsync<T>(ParleyDb db, SqlQuery<T> query, CancellationToken ct)
    {
        await BatchAsync(db, ct, query);
        return query.Rows;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"@p(\d+)\b")]
    private static partial System.Text.RegularExpressions.Regex ParameterPattern();

    /// <summary><c>alias.column AS alias_column, …</c>: a select list whose columns are read back by name.</summary>
    public static string Select(string alias, IEnumerable<string> columns) =>
        string.Join(", ", columns.Select(c => $"{alias}.{c} AS {alias}_{c}"));

    /// <summary><c>@p0, @p1, …</c> for an <c>IN</c> list starting at parameter <paramref name="first"/>.</summary>
    public static string Parameters(int count, int first = 0) =>
        string.Join(", ", Enumerable.Range(first, count).Select(i => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    // Readers by column name (select lists come from Select), so a reader never depends on a column's position.
    public static string Text(this DbDataReader reader, string column) => reader.GetString(reader.GetOrdinal(column));

    public static string? TextOrNull(this DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
    }

    public static long Int64(this DbDataReader reader, string column) => reader.GetInt64(reader.GetOrdinal(column));

    public static long? Int64OrNull(this DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
    }

    public static int Int32(this DbDataReader reader, string column) => reader.GetInt32(reader.GetOrdinal(column));

    public static byte[] Bytes(this DbDataReader reader, string column) => (byte[])reader.GetValue(reader.GetOrdinal(column));

    /// <summary>Booleans are integers in SQLite and booleans in PostgreSQL.</summary>
    public static bool Flag(this DbDataReader reader, string column) =>
        Convert.ToBoolean(reader.GetValue(reader.GetOrdinal(column)), System.Globalization.CultureInfo.InvariantCulture);

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

/// <summary>A statement for <see cref="Sql.BatchAsync"/>: SQL with its own <c>@p0</c>… parameters, returning no rows.</summary>
internal class SqlStatement(string text, params object?[] args)
{
    public string Text => text;

    public object?[] Args => args;

    public virtual bool ReturnsRows => false;

    public virtual void ReadRow(DbDataReader reader) => throw new InvalidOperationException("This statement returns no rows.");
}

/// <summary>A statement whose rows a batch reads with <paramref name="map"/>: a <c>SELECT</c>, or a write with <c>RETURNING</c>.</summary>
internal sealed class SqlQuery<T>(string text, Func<DbDataReader, T> map, params object?[] args) : SqlStatement(text, args)
{
    public List<T> Rows { get; } = [];

    /// <summary>The one row, or the default when there is none.</summary>
    public T? SingleOrDefault => Rows.Count == 0 ? default : Rows[0];

    public override bool ReturnsRows => true;

    public override void ReadRow(DbDataReader reader) => Rows.Add(map(reader));
}
