using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Parley.Bench;

internal sealed record Figure(string Scenario, string Metric, double Value, string Unit, double? Ratio = null, string? Baseline = null, string? Note = null);

/// <summary>The scenarios of issue 7. Each returns its figures; the baseline (raw HTTP) is measured first in every run.</summary>
internal sealed partial class Scenarios(Api api, BenchServer server, bool quick)
{
    private TimeSpan Duration => quick ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(15);
    private TimeSpan Warmup => quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(3);
    private const int Workers = 64;

    public async Task<Figure> RawHttpAsync()
    {
        var result = await Load.SaturateAsync(Workers, Warmup, Duration, async (_, _) =>
        {
            using var response = await api.Http.GetAsync("/healthz");
            return response.IsSuccessStatusCode;
        });
        return new Figure("raw HTTP", "requests/s (GET /healthz)", result.PerSecond, "req/s", Note: $"{Workers} connections, {result.Errors} errors");
    }

    public async Task<IReadOnlyList<Figure>> DirectSendAsync(double raw)
    {
        var pairs = new List<(BenchAgent A, BenchAgent B)>();
        for (var i = 0; i < Workers; i++)
        {
            pairs.Add(await api.PairAsync());
        }
        var run = Guid.NewGuid().ToString("N")[..6];
        var cpu = server.CpuMark();
        var saturated = await Load.SaturateAsync(Workers, Warmup, Duration, async (w, n) =>
        {
            using var response = await api.SendAsync(pairs[w].A, pairs[w].B.Handle, $"{run}-s-{w}-{n}", "benchmark message");
            return response.IsSuccessStatusCode;
        }, () => cpu = server.CpuMark());
        var cpuPerSend = CpuPer("direct-message send", "send at saturation", cpu, saturated.Operations);
        var half = saturated.PerSecond / 2;
        var latencies = await Load.AtRateAsync(half, Duration, async n =>
        {
            var pair = pairs[(int)(n % pairs.Count)];
            using var response = await api.SendAsync(pair.A, pair.B.Handle, $"{run}-l-{n}", "benchmark message");
            return response.IsSuccessStatusCode;
        });
        return
        [
            new Figure("direct-message send", "sends/s at saturation", saturated.PerSecond, "msg/s", saturated.PerSecond / raw, "raw HTTP req/s",
                $"{Workers} pairs, {saturated.Errors} errors"),
            .. cpuPerSend,
            new Figure("direct-message send", $"p50 latency at {half:F0}/s", latencies.Percentile(50), "ms"),
            new Figure("direct-message send", $"p99 latency at {half:F0}/s", latencies.Percentile(99), "ms", Note: $"achieved {latencies.AchievedRate:F0}/s, {latencies.Errors} errors"),
        ];
    }

    public async Task<IReadOnlyList<Figure>> DeliveryLatencyAsync()
    {
        const int pairsCount = 32;
        var pairs = new List<(BenchAgent A, BenchAgent B)>();
        for (var i = 0; i < pairsCount; i++)
        {
            pairs.Add(await api.PairAsync());
        }
        using var stop = new CancellationTokenSource();
        var answered = new ConcurrentDictionary<string, long>();
        var framed = new ConcurrentDictionary<string, long>();
        var sockets = new List<ClientWebSocket>();
        foreach (var (_, b) in pairs)
        {
            sockets.Add(await api.SocketAsync(b, stop.Token));
        }
        var readers = sockets.Select(socket => Task.Run(() => ReadFramesAsync(socket, (type, payload) =>
        {
            if (type == "message.new")
            {
                framed.TryAdd(payload.GetProperty("message").GetProperty("client_msg_id").GetString()!, Stopwatch.GetTimestamp());
            }
        }, null, stop.Token))).ToList();
        var run = Guid.NewGuid().ToString("N")[..6];
        var rate = 1000.0;
        var sent = await Load.AtRateAsync(rate, Duration, async n =>
        {
            var pair = pairs[(int)(n % pairs.Count)];
            var id = $"{run}-d-{n}";
            using var response = await api.SendAsync(pair.A, pair.B.Handle, id, "latency");
            answered[id] = Stopwatch.GetTimestamp();
            return response.IsSuccessStatusCode;
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await Task.WhenAll(readers).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
        var latencies = answered.Where(a => framed.ContainsKey(a.Key))
            .Select(a => Math.Max(0, Stopwatch.GetElapsedTime(a.Value, framed[a.Key]).TotalMilliseconds)).ToList();
        var missing = answered.Count - latencies.Count;
        var stats = new Latencies(latencies, missing, sent.AchievedRate);
        return
        [
            new Figure("delivery latency", "p50 send response → WebSocket frame at 1,000 msg/s", stats.Percentile(50), "ms"),
            new Figure("delivery latency", "p99 send response → WebSocket frame at 1,000 msg/s", stats.Percentile(99), "ms"),
            new Figure("delivery latency", "max send response → WebSocket frame at 1,000 msg/s", stats.Max, "ms",
                Note: $"achieved {sent.AchievedRate:F0} msg/s, {missing} frames missing, {sent.Errors} send errors, {pairsCount} recipients"),
        ];
    }

    public async Task<IReadOnlyList<Figure>> FanOutAsync()
    {
        const int members = 256;
        var agents = new List<BenchAgent>();
        for (var i = 0; i < members; i++)
        {
            agents.Add(await api.AgentAsync());
        }
        var creator = agents[0];
        foreach (var member in agents.Skip(1))
        {
            await api.AddContactAsync(member, creator.Handle);
        }
        var group = await api.CreateGroupAsync(creator, agents.Skip(1).Select(a => a.Handle));
        var groupId = group.GetProperty("group").GetProperty("id").GetString()!;
        using var stop = new CancellationTokenSource();
        var sockets = new List<ClientWebSocket>();
        foreach (var member in agents.Skip(1))
        {
            sockets.Add(await api.SocketAsync(member, stop.Token));
        }
        var times = new List<double>();
        var rounds = quick ? 5 : 20;
        for (var round = 0; round < rounds; round++)
        {
            var id = $"fan-{Guid.NewGuid():N}";
            var arrived = 0;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var roundStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            var readers = sockets.Select(socket => ReadFramesAsync(socket, (type, payload) =>
            {
                if (type == "message.new" && payload.GetProperty("message").GetProperty("client_msg_id").GetString() == id
                    && Interlocked.Increment(ref arrived) == members - 1)
                {
                    done.TrySetResult();
                }
            }, id, roundStop.Token)).ToList();
            var started = Stopwatch.GetTimestamp();
            using (var response = await api.SendAsync(creator, null, id, "fan-out", groupId))
            {
                response.EnsureSuccessStatusCode();
            }
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await roundStop.CancelAsync();
            await Task.WhenAll(readers).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await stop.CancelAsync();
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
        var stats = new Latencies(times, 0, 0);
        return
        [
            new Figure("group fan-out", "p50 send → last of 255 frames", stats.Percentile(50), "ms", Note: $"{rounds} messages to a 256-member group"),
            new Figure("group fan-out", "max send → last of 255 frames", stats.Max, "ms"),
        ];
    }

    public async Task<IReadOnlyList<Figure>> SyncDrainAsync()
    {
        const int backlog = 10_000;
        var recipient = await api.AgentAsync();
        var senders = new List<BenchAgent>();
        for (var i = 0; i < 20; i++)
        {
            var s = await api.AgentAsync();
            (await api.SendAsync(s, recipient.Handle, "open", "open")).EnsureSuccessStatusCode();
            (await api.SendAsync(recipient, s.Handle, "open-" + i, "ok")).EnsureSuccessStatusCode();
            senders.Add(s);
        }
        await api.AckAllAsync(recipient);
        var per = backlog / senders.Count;
        await Parallel.ForEachAsync(senders, new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (s, _) =>
        {
            for (var n = 0; n < per; n++)
            {
                using var response = await api.SendAsync(s, recipient.Handle, $"drain-{n}", "backlog");
                response.EnsureSuccessStatusCode();
            }
        });
        var clock = Stopwatch.StartNew();
        var drained = 0;
        while (true)
        {
            var page = await api.GetJsonAsync("/v1/messages/sync?limit=500", recipient.Key);
            var items = page.GetProperty("messages");
            if (items.GetArrayLength() == 0)
            {
                break;
            }
            drained += items.GetArrayLength();
            using var ack = await api.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = items[items.GetArrayLength() - 1].GetProperty("delivery_id").GetString() }, recipient.Key);
            ack.EnsureSuccessStatusCode();
        }
        clock.Stop();
        return [new Figure("sync drain", $"drain and ack {drained:N0} deliveries (pages of 500)", clock.Elapsed.TotalMilliseconds, "ms")];
    }

    public async Task<IReadOnlyList<Figure>> IdleConnectionsAsync()
    {
        var count = quick ? 2_000 : 10_000;
        var agents = new List<BenchAgent>();
        for (var i = 0; i < 100; i++)
        {
            agents.Add(await api.AgentAsync());
        }
        await Task.Delay(TimeSpan.FromSeconds(2));
        var before = server.ResidentBytes();
        var sockets = new ConcurrentBag<ClientWebSocket>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            sockets.Add(await api.SocketAsync(agents[i % agents.Count], ct)));
        await Task.Delay(TimeSpan.FromSeconds(quick ? 3 : 10));
        var after = server.ResidentBytes();
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }
        var per = (after - before) / (double)count;
        return
        [
            new Figure("idle connections", $"memory per idle authenticated WebSocket at {count:N0}", per / 1024, "KiB",
                (after - before) / (double)before, $"process memory before connecting (all {count:N0} sockets together)",
                $"RSS {before / 1048576.0:F0} MiB → {after / 1048576.0:F0} MiB"),
        ];
    }

    public async Task<IReadOnlyList<Figure>> TaskClaimsAsync(double raw)
    {
        var room = (await api.AsOwnerAsync("/v1/rooms", new { name = "bench" })).GetProperty("id").GetString()!;
        var agents = new List<BenchAgent>();
        for (var i = 0; i < 20; i++)
        {
            var agent = await api.AgentAsync();
            await api.AsOwnerAsync($"/v1/rooms/{room}/members", new { agent_id = agent.Id });
            agents.Add(agent);
        }
        async Task<string> TaskAsync(string title) => (await api.AsOwnerAsync($"/v1/rooms/{room}/tasks", new { title })).GetProperty("id").GetString()!;
        async Task<int> ClaimAsync(string task, BenchAgent agent, string instance)
        {
            using var response = await api.PostAsync($"/v1/tasks/{task}/claim", new { instance_id = instance }, agent.Key);
            return (int)response.StatusCode;
        }

        // One task, 200 claimers at once: exactly one wins. A first round on another task warms the server up
        // (on PostgreSQL it also grows the connection pool to 200, which is start-up cost, not claim cost).
        var warmup = await TaskAsync("warm-up");
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => ClaimAsync(warmup, agents[i % agents.Count], $"i{i}")));
        var contested = await TaskAsync("contested");
        var clock = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => ClaimAsync(contested, agents[i % agents.Count], $"i{i}")));
        clock.Stop();
        var winners = statuses.Count(s => s == 200);
        var lost = statuses.Count(s => s == 409);

        // Claims per second across 1,000 tasks, 64 claimers at a time, after the same round on 1,000 other tasks: claims
        // run the server's task code paths for the first time here, and the first round measured the JIT's tiers as
        // much as the claims (docs/architecture.md#performance).
        async Task<string[]> TasksAsync(string prefix)
        {
            var ids = new string[1_000];
            await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 },
                async (i, _) => ids[i] = await TaskAsync($"{prefix}{i}"));
            return ids;
        }
        async Task<int> ClaimEachAsync(IReadOnlyList<string> tasks)
        {
            var next = -1;
            var failures = 0;
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < tasks.Count)
                {
                    if (await ClaimAsync(tasks[index], agents[w % agents.Count], "w" + w) != 200)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            })));
            return failures;
        }
        await ClaimEachAsync(await TasksAsync("warm"));
        var tasks = await TasksAsync("t");
        var cpu = server.CpuMark();
        var across = Stopwatch.StartNew();
        var failures = await ClaimEachAsync(tasks);
        across.Stop();
        var rate = tasks.Length / across.Elapsed.TotalSeconds;
        return
        [
            new Figure("task claims", "200 concurrent claims of one task: all answered", clock.Elapsed.TotalMilliseconds, "ms",
                Note: $"{winners} won (must be 1), {lost} TASK_ALREADY_CLAIMED, {200 - winners - lost} other"),
            new Figure("task claims", "claims/s across 1,000 tasks", rate, "claims/s", rate / raw, "raw HTTP req/s", $"{Workers} claimers, {failures} failed"),
            .. CpuPer("task claims", "claim", cpu, tasks.Length),
        ];
    }

    /// <summary>
    /// The server's CPU per operation since <paramref name="since"/>, and on PostgreSQL the server's plus the database's
    /// (its processes share the server's CPU).
    /// </summary>
    private Figure[] CpuPer(string scenario, string operation, (TimeSpan Server, TimeSpan Database) since, long operations)
    {
        var now = server.CpuMark();
        var serverMs = (now.Server - since.Server).TotalMilliseconds / operations;
        var databaseMs = (now.Database - since.Database).TotalMilliseconds / operations;
        var serverFigure = new Figure(scenario, $"server CPU per {operation}", serverMs, "ms");
        return server.Provider == Provider.Postgres
            ? [serverFigure, new Figure(scenario, $"server + database CPU per {operation}", serverMs + databaseMs, "ms", Note: $"PostgreSQL's processes {databaseMs:F2} ms")]
            : [serverFigure];
    }

    /// <summary>Reads frames until cancelled (or, with <paramref name="stopAfterFirst"/>, until that client_msg_id arrived).</summary>
    private static async Task ReadFramesAsync(ClientWebSocket socket, Action<string, JsonElement> onFrame, string? stopAfterFirst, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                var frame = JsonDocument.Parse(Encoding.UTF8.GetString(message.ToArray())).RootElement;
                var type = frame.GetProperty("type").GetString()!;
                if (type == "ping")
                {
                    await socket.SendAsync("{\"type\":\"pong\"}"u8.ToArray(), WebSocketMessageType.Text, true, ct);
                    continue;
                }
                var payload = frame.TryGetProperty("payload", out var p) ? p.Clone() : default;
                onFrame(type, payload);
                if (stopAfterFirst is not null && type == "message.new" && payload.GetProperty("message").GetProperty("client_msg_id").GetString() == stopAfterFirst)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }
}
