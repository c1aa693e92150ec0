using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Parley.Client;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Crash;

/// <summary>
/// Nothing acknowledged is lost. The server is a real process killed with SIGKILL in the middle of a send storm; after a
/// restart every message that got a 2xx is there exactly once, and retries with the same client_msg_id add nothing.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("parley-crash").FullName;
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private string? _database;

    public async Task InitializeAsync()
    {
        if (TestDatabase.IsPostgres)
        {
            _database = await TestDatabase.CreatePostgresDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await TestDatabase.DropPostgresDatabaseAsync(_database);
        }
        Directory.Delete(_directory, recursive: true);
    }

    private string[] Args(int port, string? database = null, string node = "crash") =>
    [
        $"--urls=http://127.0.0.1:{port}", $"--Storage:DataDirectory={_directory}/{node}", $"--Security:MasterKey={_key}",
        "--Database:Durability=full", "--Limits:PasswordHashIterations=1000", "--Limits:Rates:agent-send:Limit=100000",
        "--Limits:Rates:auth:Limit=100000", "--Logging:LogLevel:Default=Warning",
        .. (database ?? _database) is { } cs ? new[] { "--Database:Provider=postgres", $"--Database:ConnectionString={cs}" } : [],
    ];

    private static Task<ServerProcess> StartAsync(string directory, string[] args, int port) =>
        ServerProcess.StartAsync(directory, args, new Uri($"http://127.0.0.1:{port}"));

    [Fact]
    public async Task EveryAcknowledgedSendSurvivesASigkillAndRetriesAddNothing()
    {
        var port = ServerProcess.FreePort();
        var server = await StartAsync(_directory, Args(port), port);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        // Six senders, each with an established conversation to one recipient.
        var signup = await (await http.PostAsync("/v1/auth/signup", new { email = Actors.NewEmail(), password = "correct horse battery", name = "C" })).OkAsync(HttpStatusCode.Created);
        var token = signup.GetProperty("access_token").GetString();
        var ws = signup.GetProperty("workspace").GetProperty("id").GetString();
        async Task<TestAgent> AgentAsync() => Actors.ToAgent(await (await http.PostAsync($"/v1/workspaces/{ws}/agents", new { handle = Actors.NewHandle() }, token)).OkAsync(HttpStatusCode.Created));
        var recipient = await AgentAsync();
        var senders = new List<TestAgent>();
        for (var i = 0; i < 6; i++)
        {
            var sender = await AgentAsync();
            await (await http.PostAsync("/v1/messages", new { to = recipient.Handle, client_msg_id = "open", content = new { text = "open" } }, sender.ApiKey)).OkAsync(HttpStatusCode.Created);
            await (await http.PostAsync("/v1/messages", new { to = sender.Handle, client_msg_id = "ok-" + i, content = new { text = "ok" } }, recipient.ApiKey)).OkAsync(HttpStatusCode.Created);
            senders.Add(sender);
        }

        // The storm: every sender sends numbered messages until the server dies; what got a 2xx is remembered.
        var acknowledged = new ConcurrentDictionary<string, string>();
        var attempted = new ConcurrentDictionary<string, TestAgent>();
        using var stop = new CancellationTokenSource();
        var storm = senders.Select(sender => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var id = $"{sender.Handle}-{n}";
                attempted[id] = sender;
                try
                {
                    var response = await client.PostAsync("/v1/messages", new { to = recipient.Handle, client_msg_id = id, content = new { text = id } }, sender.ApiKey);
                    if (response.IsSuccessStatusCode)
                    {
                        acknowledged[id] = (await response.JsonAsync()).GetProperty("id").GetString()!;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return; // the server is gone
                }
            }
        })).ToList();
        while (acknowledged.Count < 300)
        {
            await Task.Delay(10);
        }
        await server.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(storm);
        Assert.True(acknowledged.Count >= 300);

        // Restart on the same data; every client retries everything it attempted, with the same client_msg_id.
        await using var restarted = await StartAsync(_directory, Args(port), port);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress };
        foreach (var (id, sender) in attempted)
        {
            var response = await again.PostAsync("/v1/messages", new { to = recipient.Handle, client_msg_id = id, content = new { text = id } }, sender.ApiKey);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            var body = await response.JsonAsync();
            if (acknowledged.TryGetValue(id, out var original))
            {
                // An acknowledged message survived the crash: the retry finds it (200) and it is the same message.
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(original, body.GetProperty("id").GetString());
            }
        }

        // Exactly once: the recipient's history holds one message per client_msg_id, and every one that was attempted.
        var seen = new List<string>();
        foreach (var sender in senders)
        {
            var conversation = (await (await again.GetAsync("/v1/conversations?limit=200", recipient.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray()
                .Single(c => c.GetProperty("participants").EnumerateArray().Any(p => p.GetProperty("id").GetString() == sender.Id)).GetProperty("id").GetString();
            long? before = null;
            while (true)
            {
                var page = await (await again.GetAsync($"/v1/messages/{conversation}?limit=200" + (before is null ? "" : $"&before_seq={before}"), recipient.ApiKey)).OkAsync();
                var data = page.GetProperty("data").EnumerateArray().ToList();
                seen.AddRange(data.Where(m => m.GetProperty("sender").GetProperty("id").GetString() == sender.Id).Select(m => m.GetProperty("client_msg_id").GetString()!));
                if (!page.GetProperty("has_more").GetBoolean())
                {
                    break;
                }
                before = data[0].GetProperty("seq").GetInt64();
            }
        }
        var storms = seen.Where(id => id != "open").ToList();
        Assert.Equal(storms.Count, storms.Distinct().Count());
        Assert.Equal(attempted.Keys.Order(), storms.Order());
    }

    [Fact]
    public async Task WhenOneOfTwoNodesDiesItsSocketsMoveToTheOtherAndLoseNothing()
    {
        if (!TestDatabase.IsPostgres)
        {
            return; // several nodes need PostgreSQL; the PostgreSQL run covers this.
        }
        var portA = ServerProcess.FreePort();
        var portB = ServerProcess.FreePort();
        var nodeA = await StartAsync(_directory, Args(portA, node: "a"), portA);
        await using var nodeB = await StartAsync(_directory, Args(portB, node: "b"), portB);
        await using var balancer = new TcpRelay(nodeA.BaseAddress);
        try
        {
            using var http = new HttpClient { BaseAddress = nodeB.BaseAddress };
            var signup = await (await http.PostAsync("/v1/auth/signup", new { email = Actors.NewEmail(), password = "correct horse battery", name = "N" })).OkAsync(HttpStatusCode.Created);
            var token = signup.GetProperty("access_token").GetString();
            var ws = signup.GetProperty("workspace").GetProperty("id").GetString();
            async Task<TestAgent> AgentAsync() => Actors.ToAgent(await (await http.PostAsync($"/v1/workspaces/{ws}/agents", new { handle = Actors.NewHandle() }, token)).OkAsync(HttpStatusCode.Created));
            var sender = await AgentAsync();
            var recipients = new List<TestAgent>();
            for (var i = 0; i < 3; i++)
            {
                var r = await AgentAsync();
                await (await http.PostAsync("/v1/messages", new { to = r.Handle, client_msg_id = "open-" + i, content = new { text = "open" } }, sender.ApiKey)).OkAsync(HttpStatusCode.Created);
                await (await http.PostAsync("/v1/messages", new { to = sender.Handle, client_msg_id = "ok", content = new { text = "ok" } }, r.ApiKey)).OkAsync(HttpStatusCode.Created);
                recipients.Add(r);
            }

            // The recipients hold their sockets on node A, through the balancer.
            var clients = recipients.Select(r => new ParleyClient(balancer.Address, r.ApiKey)).ToList();
            var streams = new List<AgentStream>();
            foreach (var client in clients)
            {
                streams.Add(await client.ConnectAsync(new AgentStreamOptions { ReconnectDelay = TimeSpan.FromMilliseconds(100) }));
            }
            var received = recipients.Select(_ => new ConcurrentDictionary<string, bool>()).ToList();
            var readers = streams.Select((stream, i) => Task.Run(async () =>
            {
                await foreach (var e in stream.ReadAllAsync())
                {
                    if (e.Delivery is { } delivery)
                    {
                        received[i][delivery.Message.ClientMsgId] = true;
                        await stream.AckAsync(delivery.DeliveryId);
                    }
                }
            })).ToList();

            // Messages flow through node B before, during and after node A dies; the balancer then sends new
            // connections to B, where the clients reconnect and the server replays what they had not acknowledged.
            var sent = new List<(int Recipient, string Id)>();
            for (var n = 0; n < 60; n++)
            {
                if (n == 20)
                {
                    await nodeA.KillAsync();
                    balancer.Target = nodeB.BaseAddress;
                    balancer.DropAll();
                }
                var index = n % recipients.Count;
                var id = $"m-{n}";
                await (await http.PostAsync("/v1/messages", new { to = recipients[index].Handle, client_msg_id = id, content = new { text = id } }, sender.ApiKey))
                    .OkAsync(HttpStatusCode.Created);
                sent.Add((index, id));
            }
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (sent.Any(s => !received[s.Recipient].ContainsKey(s.Id)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            Assert.Empty(sent.Where(s => !received[s.Recipient].ContainsKey(s.Id)).Select(s => s.Id));
            Assert.All(streams, s => Assert.True(s.Reconnects >= 1));
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
            foreach (var client in clients)
            {
                client.Dispose();
            }
            await Task.WhenAll(readers);
        }
        finally
        {
            await nodeA.DisposeAsync();
        }
    }
}
