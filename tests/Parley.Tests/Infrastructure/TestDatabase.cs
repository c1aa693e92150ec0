using Npgsql;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// Which database the suite runs on: SQLite always; PostgreSQL when <c>PARLEY_TEST_POSTGRES</c> holds an admin
/// connection string (the test script sets it). On PostgreSQL each server gets a database of its own.
/// </summary>
public static class TestDatabase
{
    public static string? PostgresAdmin => Environment.GetEnvironmentVariable("PARLEY_TEST_POSTGRES") is { Length: > 0 } cs ? cs : null;

    public static bool IsPostgres => PostgresAdmin is not null;

    public static string ProviderName => IsPostgres ? "postgres" : "sqlite";

    public static async Task<string> CreatePostgresDatabaseAsync()
    {
        var name = "parley_t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(PostgresAdmin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = name }.ToString();
    }

    public static async Task DropPostgresDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresAdmin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
