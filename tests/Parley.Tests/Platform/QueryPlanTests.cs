using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

/// <summary>
/// Every statement the hot paths run — sign-in and API-key checks, direct and group sends, sync and ack, room messages,
/// task claims and their renewals — reads the big tables through an index, so its cost stays flat as data grows
/// (docs/architecture.md#performance). On PostgreSQL the test takes the statements this server ran from
/// <c>pg_stat_statements</c> and asks the planner for each one's generic plan with sequential scans switched off: a
/// <c>Seq Scan</c> on a big table then means no index can serve the statement.
/// </summary>
public sealed class QueryPlanTests(RoomsServer server) : IClassFixture<RoomsServer>
{
    /// <summary>The tables that grow with use; small per-owner tables (plans, settings) may be scanned.</summary>
    private static readonly string[] BigTables =
    [
        "messages", "deliveries", "conversations", "participants", "inboxes", "contacts", "blocks", "hidden_messages",
        "agents", "api_keys", "sessions", "rooms", "room_members", "room_messages", "mentions", "tasks", "task_events",
        "usage_days", "idempotency_records", "runs", "owner_events",
    ];

    [Fact]
    public async Task TheHotStatementsReadTheBigTablesThroughIndexes()
    {
        if (server.PostgresDatabase is not { } database)
        {
            return; // plans are asserted on PostgreSQL; the PostgreSQL run covers this.
        }
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await ExecuteAsync(connection, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
            "PostgreSQL must be started with shared_preload_libraries=pg_stat_statements (scripts/postgres.sh does)");
        await ExecuteAsync(connection, "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)");

        // The hot paths, through the API.
        var (a, b) = await server.PairAsync();
        for (var i = 0; i < 3; i++)
        {
            await server.SendOkAsync(a, b.Handle, "hello " + i);
        }
        var page = await server.SyncAsync(b);
        var last = page.GetProperty("messages").EnumerateArray().Last().GetProperty("delivery_id").GetString();
        await (await server.Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = last }, b.ApiKey)).OkAsync();
        var group = await (await server.Http.PostAsync("/v1/groups", new { name = "plans", member_handles = new[] { b.Handle } }, a.ApiKey)).OkAsync(HttpStatusCode.Created);
        await (await server.Http.PostAsync("/v1/messages", new { conversation_id = group.GetProperty("group").GetProperty("id").GetString(), client_msg_id = "g1", content = new { text = "to the group" } }, a.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var room = await server.RoomWithAgentsAsync();
        await (await server.Http.PostAsync($"/v1/rooms/{room.RoomId}/messages", new { body = "hello room" }, room.A.ApiKey)).OkAsync(HttpStatusCode.Created);
        var task = await server.CreateTaskAsync(room.Owner.AccessToken, room.RoomId);
        await server.ClaimOkAsync(room.A, task.Id());
        await (await server.Http.GetAsync($"/v1/rooms/{room.RoomId}/messages", room.B.ApiKey)).OkAsync();

        var statements = new List<string>();
        await using (var command = new NpgsqlCommand(
            "SELECT query FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                statements.Add(reader.GetString(0));
            }
        }
        var planned = 0;
        var scans = new List<string>();
        await ExecuteAsync(connection, "SET enable_seqscan = off");
        await ExecuteAsync(connection, "SET plan_cache_mode = force_generic_plan");
        foreach (var sql in statements.Where(s => Regex.IsMatch(s, @"^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b", RegexOptions.IgnoreCase)
            && BigTables.Any(t => Regex.IsMatch(s, $@"\b{t}\b")) && !s.Contains("pg_stat_statements", StringComparison.Ordinal)))
        {
            var parameters = Regex.Matches(sql, @"\$(\d+)").Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(0).Max();
            var plan = await GenericPlanAsync(connection, sql, parameters);
            if (plan is null)
            {
                continue; // a statement whose parameter types the planner cannot infer alone (a literal pg_stat_statements folded)
            }
            planned++;
            var scanned = BigTables.Where(t => plan.Contains($"Seq Scan on {t} ", StringComparison.Ordinal) || plan.EndsWith($"Seq Scan on {t}", StringComparison.Ordinal)).ToList();
            if (scanned.Count > 0)
            {
                scans.Add($"{string.Join(", ", scanned)}: {sql}\n{plan}");
            }
        }
        Assert.True(planned >= 30, $"only {planned} hot statements could be planned: the capture is not working");
        Assert.True(scans.Count == 0, "sequential scans on big tables:\n\n" + string.Join("\n\n", scans));
    }

    /// <summary>The generic plan of a statement with <c>$n</c> parameters, or null when its parameter types cannot be inferred.</summary>
    private static async Task<string?> GenericPlanAsync(NpgsqlConnection connection, string sql, int parameters)
    {
        try
        {
            await ExecuteAsync(connection, $"PREPARE hot AS {sql}");
        }
        catch (PostgresException e) when (e.SqlState is "42P18" or "42725" or "42804" or "42883")
        {
            return null; // could not determine a parameter's type
        }
        try
        {
            var arguments = parameters == 0 ? "" : "(" + string.Join(", ", Enumerable.Repeat("NULL", parameters)) + ")";
            await using var explain = new NpgsqlCommand($"EXPLAIN EXECUTE hot{arguments}", connection);
            await using var reader = await explain.ExecuteReaderAsync();
            var lines = new List<string>();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
            return string.Join("\n", lines);
        }
        finally
        {
            await ExecuteAsync(connection, "DEALLOCATE hot");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, string? hint = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException e) when (hint is not null)
        {
            throw new InvalidOperationException($"{hint}: {e.MessageText}", e);
        }
    }
}
