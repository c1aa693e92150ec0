using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Data;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

/// <summary>The hand-written migrations produce exactly the schema the model describes, on the provider under test.</summary>
public sealed class SchemaTests(TestServer server) : IClassFixture<TestServer>
{
    private sealed record Column(string Table, string Name, string Type, bool Nullable);

    [Fact]
    public async Task MigratedSchemaMatchesTheModel()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var model = db.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>().Model.GetRelationalModel();

        var expected = model.Tables
            .SelectMany(t => t.Columns.Select(c => new Column(t.Name, c.Name, c.StoreType.ToLowerInvariant(), c.IsNullable)))
            .OrderBy(c => c.Table, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        var actual = (await ReadColumnsAsync(db))
            .Where(c => !c.Table.StartsWith("__EF", StringComparison.Ordinal))
            .OrderBy(c => c.Table, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(expected, actual);

        var expectedIndexes = model.Tables.SelectMany(t => t.Indexes.Select(i => (t.Name, i.Name, i.IsUnique)))
            .Order().ToList();
        var actualIndexes = (await ReadIndexesAsync(db)).Where(i => !i.Table.StartsWith("__EF", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(expectedIndexes, actualIndexes);

        var expectedKeys = model.Tables.Select(t => (t.Name, string.Join(",", t.PrimaryKey!.Columns.Select(c => c.Name)))).Order().ToList();
        var actualKeys = (await ReadPrimaryKeysAsync(db)).Where(k => !k.Table.StartsWith("__EF", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(expectedKeys, actualKeys);
    }

    private static async Task<List<T>> QueryAsync<T>(ParleyDb db, string sql, Func<DbDataReader, T> read)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<T>();
            while (await reader.ReadAsync())
            {
                rows.Add(read(reader));
            }
            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<List<string>> TablesAsync(ParleyDb db) =>
        await QueryAsync(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", r => r.GetString(0));

    private static async Task<List<Column>> ReadColumnsAsync(ParleyDb db)
    {
        if (TestDatabase.IsPostgres)
        {
            return await QueryAsync(db,
                "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'",
                r => new Column(r.GetString(0), r.GetString(1), r.GetString(2).ToLowerInvariant(), r.GetString(3) == "YES"));
        }
        var columns = new List<Column>();
        foreach (var table in await TablesAsync(db))
        {
            columns.AddRange(await QueryAsync(db, $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')",
                r => new Column(table, r.GetString(0), r.GetString(1).ToLowerInvariant(), r.GetInt64(2) == 0 && r.GetInt64(3) == 0)));
        }
        return columns;
    }

    private static async Task<List<(string Table, string Name, bool Unique)>> ReadIndexesAsync(ParleyDb db)
    {
        if (TestDatabase.IsPostgres)
        {
            return await QueryAsync(db,
                "SELECT t.relname, i.relname, ix.indisunique FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid " +
                "JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace " +
                "WHERE n.nspname = 'public' AND NOT ix.indisprimary",
                r => (r.GetString(0), r.GetString(1), r.GetBoolean(2)));
        }
        var indexes = new List<(string, string, bool)>();
        foreach (var table in await TablesAsync(db))
        {
            indexes.AddRange(await QueryAsync(db, $"SELECT name, \"unique\", origin FROM pragma_index_list('{table}')",
                r => (Name: r.GetString(0), Unique: r.GetInt64(1) == 1, Origin: r.GetString(2)))
                .ContinueWith(t => t.Result.Where(i => i.Origin == "c").Select(i => (table, i.Name, i.Unique))));
        }
        return indexes;
    }

    private static async Task<List<(string Table, string Columns)>> ReadPrimaryKeysAsync(ParleyDb db)
    {
        if (TestDatabase.IsPostgres)
        {
            return await QueryAsync(db,
                "SELECT tc.table_name, string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position) FROM information_schema.table_constraints tc " +
                "JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema " +
                "WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public' GROUP BY tc.table_name",
                r => (r.GetString(0), r.GetString(1)));
        }
        var keys = new List<(string, string)>();
        foreach (var table in await TablesAsync(db))
        {
            var columns = await QueryAsync(db, $"SELECT name, pk FROM pragma_table_info('{table}') WHERE pk > 0 ORDER BY pk", r => r.GetString(0));
            keys.Add((table, string.Join(",", columns)));
        }
        return keys;
    }
}
