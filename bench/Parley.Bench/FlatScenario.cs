using System.Diagnostics;
using System.Globalization;

namespace Parley.Bench;

/// <summary>
/// Flat cost as data grows: the cost of a send (CPU per send and sends/s, from <c>wrk</c> over 64 pairs) and of a sync
/// (one page of 100 pending deliveries, read again and again) measured on the database as the earlier scenarios left it,
/// then again after 1,000,000 messages (with their deliveries, 100,000 conversations, 1,000 rooms with 100,000 tasks and
/// 100,000 room messages) are written straight into it. The preload is synthetic agents' history: nothing the measured
/// agents read, only what makes the tables and their indexes big.
/// </summary>
internal sealed partial class Scenarios
{
    private const int PreloadMessages = 1_000_000;

    private sealed record FlatCost(double SendsPerSecond, double CpuMsPerSend, double SyncMs);

    public async Task<IReadOnlyList<Figure>> FlatAsync()
    {
        if (!OperatingSystem.IsLinux())
        {
            return [new Figure("flat cost", "skipped", 0, "", Note: "wrk needs Linux")];
        }
        // The first measurement of a fresh server also warms it up (JIT, pools, caches): measured twice, the second counts.
        await FlatCostAsync();
        var small = await FlatCostAsync();
        var messagesBefore = await CountMessagesAsync();
        var clock = Stopwatch.StartNew();
        await PreloadAsync();
        var loaded = clock.Elapsed;
        var big = await FlatCostAsync();
        var note = $"{messagesBefore:N0} messages before, {messagesBefore + PreloadMessages:N0} after (preloaded in {loaded.TotalSeconds:F0} s, then ANALYZE)";
        return
        [
            new Figure("flat cost", "sends/s, 64 pairs (wrk): before the preload", small.SendsPerSecond, "msg/s"),
            new Figure("flat cost", "sends/s, 64 pairs (wrk): with 1M more messages", big.SendsPerSecond, "msg/s"),
            new Figure("flat cost", "send CPU per send (server + database): 1M ÷ before", big.CpuMsPerSend / small.CpuMsPerSend, "×",
                Note: $"{small.CpuMsPerSend:F2} → {big.CpuMsPerSend:F2} ms; {note}"),
            new Figure("flat cost", "sync (a page of 100, median of 300): 1M ÷ before", big.SyncMs / small.SyncMs, "×",
                Note: $"{small.SyncMs:F2} → {big.SyncMs:F2} ms"),
        ];

        async Task PreloadAsync()
        {
            await using var connection = await server.OpenDatabaseAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var sql in PreloadSql(PreloadMessages))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandTimeout = 600;
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
            await using var analyze = connection.CreateCommand();
            analyze.CommandTimeout = 600;
            analyze.CommandText = "ANALYZE";
            await analyze.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The same SQL on both providers: a recursive counter feeding plain INSERT … SELECT statements.</summary>
    private static IEnumerable<string> PreloadSql(int messages)
    {
        const int perConversation = 10;
        var conversations = messages / perConversation;
        var rooms = 1_000;
        var perRoom = conversations / rooms;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        string Numbers(int count) => $"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) ";
        // Conversation c is between flat agents a<c> and b<c>; its messages 1…10 come from either side in turn, and each
        // has its delivery to the other side, numbered like the real thing.
        yield return Numbers(conversations) +
            "INSERT INTO conversations (id, kind, agent_a, agent_b, initiator_id, established, last_seq, last_message_at, created_at) " +
            $"SELECT 'conv_flat' || i, 'direct', 'agt_flata' || i, 'agt_flatb' || i, 'agt_flata' || i, true, {perConversation}, {now}, {now} FROM n";
        yield return Numbers(conversations) +
            "INSERT INTO participants (conversation_id, agent_id, last_read_seq, joined_seq, joined_at, role) " +
            $"SELECT 'conv_flat' || i, 'agt_flata' || i, 0, 0, {now}, 'member' FROM n UNION ALL SELECT 'conv_flat' || i, 'agt_flatb' || i, 0, 0, {now}, 'member' FROM n";
        yield return Numbers(messages) +
            "INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, type, content, metadata, created_at) " +
            $"SELECT 'msg_flat' || i, 'conv_flat' || ((i - 1) / {perConversation} + 1), (i - 1) % {perConversation} + 1, " +
            $"CASE WHEN i % 2 = 0 THEN 'agt_flata' ELSE 'agt_flatb' END || ((i - 1) / {perConversation} + 1), 'flat-' || i, 'text', " +
            $"'{{\"text\":\"preloaded message\"}}', NULL, {now} FROM n";
        yield return Numbers(messages) +
            "INSERT INTO deliveries (recipient_id, seq, message_id, created_at, webhook_acked) " +
            $"SELECT CASE WHEN i % 2 = 0 THEN 'agt_flatb' ELSE 'agt_flata' END || ((i - 1) / {perConversation} + 1), " +
            $"(i - 1) % {perConversation} + 1, 'msg_flat' || i, {now}, false FROM n";
        yield return Numbers(conversations) +
            $"INSERT INTO inboxes (agent_id, last_delivery_seq, acked_through) SELECT 'agt_flata' || i, {perConversation}, {perConversation} FROM n " +
            $"UNION ALL SELECT 'agt_flatb' || i, {perConversation}, {perConversation} FROM n";
        yield return Numbers(rooms) +
            "INSERT INTO rooms (id, name, topic, status, kind, owner_workspace_id, created_by, paused_at, last_seq, created_at, updated_at) " +
            $"SELECT 'room_flat' || i, 'flat ' || i, NULL, 'active', 'workspace', 'ws_flat', 'agt_flata' || i, NULL, {perRoom}, {now}, {now} FROM n";
        yield return Numbers(conversations) +
            "INSERT INTO tasks (id, room_id, title, detail, definition_of_done, assignee_id, status, consent, position, generation, holder_id, " +
            "holder_instance, claim_token_hash, lease_ttl_seconds, expires_at, grace_until, result, created_by, created_at, updated_at) " +
            $"SELECT 'task_flat' || i, 'room_flat' || ((i - 1) / {perRoom} + 1), 'task ' || i, NULL, NULL, NULL, 'done', 'none', (i - 1) % {perRoom} + 1, 1, " +
            $"NULL, NULL, NULL, 300, NULL, NULL, NULL, 'agt_flata' || i, {now}, {now} FROM n";
        yield return Numbers(conversations) +
            "INSERT INTO room_messages (id, room_id, seq, sender_id, body, mentions, parent_id, created_at) " +
            $"SELECT 'rmsg_flat' || i, 'room_flat' || ((i - 1) / {perRoom} + 1), (i - 1) % {perRoom} + 1, 'agt_flata' || i, 'preloaded', NULL, NULL, {now} FROM n";
    }

    private async Task<long> CountMessagesAsync()
    {
        await using var connection = await server.OpenDatabaseAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>One measurement: sends/s and CPU per send from wrk over 64 fresh pairs, and a sync page's median time.</summary>
    private async Task<FlatCost> FlatCostAsync()
    {
        var seconds = quick ? 5 : 10;
        var work = Directory.CreateTempSubdirectory("parley-flat-").FullName;
        try
        {
            var pairs = new List<(BenchAgent A, BenchAgent B)>();
            for (var i = 0; i < 64; i++)
            {
                pairs.Add(await api.PairAsync());
            }
            var file = Path.Combine(work, "pairs.txt");
            await File.WriteAllLinesAsync(file, pairs.Select(p => $"{p.A.Key} {p.B.Handle}"));
            var env = new Dictionary<string, string> { ["PAIRS_FILE"] = file, ["RUN_ID"] = Guid.NewGuid().ToString("N")[..8] };
            var url = new Uri(server.Address, "/v1/messages");
            var script = Path.Combine(Program.FindRoot(), "bench", "peer", "parley-send.lua");
            await WrkAsync(url, 64, 2, script, env); // warm-up
            var send = await MeasuredAsync("64 pairs", () => WrkAsync(url, 64, seconds, script, env),
                () => server.CpuTime() + server.DatabaseCpuTime());

            // A recipient with 100 pending deliveries; its sync page is read 300 times (nothing acked, so the same page).
            var (sender, recipient) = pairs[0];
            for (var n = 0; n < 100; n++)
            {
                using var response = await api.SendAsync(sender, recipient.Handle, $"flat-sync-{Guid.NewGuid():N}", "pending");
                response.EnsureSuccessStatusCode();
            }
            var times = new List<double>();
            for (var n = 0; n < 300; n++)
            {
                var started = Stopwatch.GetTimestamp();
                await api.GetJsonAsync("/v1/messages/sync?limit=100", recipient.Key);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return new FlatCost(send.Result.PerSecond, send.CpuMsPerRequest, new Latencies(times, 0, 0).Percentile(50));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
