using System.Net;
using System.Net.WebSockets;
using Npgsql;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

/// <summary>
/// Two server processes on one PostgreSQL database: a message sent through node A reaches a WebSocket on node B, a
/// revocation through A closes B's socket, and B catches up from the database after its notification channel drops.
/// </summary>
public sealed class MultiNodeTests : IAsyncLifetime
{
    private PostgresNodes _cluster = null!;

    private List<ServerProcess> Nodes => _cluster.Nodes;

    public async Task InitializeAsync() => _cluster = await PostgresNodes.StartAsync(2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task MessagesAndRevocationsCrossNodesAndANodeResynchronisesAfterItsChannelDrops()
    {
        if (!TestDatabase.IsPostgres)
        {
            return; // several nodes need PostgreSQL; the PostgreSQL run covers this.
        }
        using var a = new HttpClient { BaseAddress = Nodes[0].BaseAddress };
        var signup = await (await a.PostAsync("/v1/auth/signup", new { email = Actors.NewEmail(), password = "correct horse battery", name = "N" })).OkAsync(HttpStatusCode.Created);
        var token = signup.GetProperty("access_token").GetString();
        var ws = signup.GetProperty("workspace").GetProperty("id").GetString();
        async Task<TestAgent> AgentAsync() => Actors.ToAgent(await (await a.PostAsync($"/v1/workspaces/{ws}/agents", new { handle = Actors.NewHandle() }, token)).OkAsync(HttpStatusCode.Created));
        var sender = await AgentAsync();
        var recipient = await AgentAsync();

        await using var onB = await TestSocket.OpenAsync(Nodes[1].BaseAddress, recipient.ApiKey);
        await (await a.PostAsync("/v1/messages", new { to = recipient.Handle, client_msg_id = "x1", content = new { text = "across nodes" } }, sender.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var frame = await onB.ExpectAsync("message.new");
        Assert.Equal("across nodes", frame.GetProperty("payload").GetProperty("message").GetProperty("content").GetProperty("text").GetString());
        await (await a.PostAsync("/v1/messages", new { to = sender.Handle, client_msg_id = "r1", content = new { text = "reply" } }, recipient.ApiKey))
            .OkAsync(HttpStatusCode.Created);

        // Drop node B's LISTEN connection; what is sent meanwhile arrives once B has reconnected and resynchronised.
        await using (var admin = new NpgsqlConnection(_cluster.Database))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'parley-node-b' AND query ILIKE 'LISTEN%'", admin);
            Assert.Equal(1L, (long)(await kill.ExecuteScalarAsync())!);
        }
        await (await a.PostAsync("/v1/messages", new { to = recipient.Handle, client_msg_id = "x2", content = new { text = "while the channel was down" } }, sender.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var caughtUp = await onB.ExpectAsync("message.new", TimeSpan.FromSeconds(30));
        Assert.Equal("while the channel was down", caughtUp.GetProperty("payload").GetProperty("message").GetProperty("content").GetProperty("text").GetString());

        // Revoking the key through A closes the socket held by B.
        var keyId = recipient.ApiKey.Split('_')[2];
        await (await a.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{ws}/agents/{recipient.Id}/keys/{keyId}", token: token)).OkAsync(HttpStatusCode.NoContent);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await onB.WaitClosedAsync());
    }

    [Fact]
    public async Task ADeviceRevokedThroughOneNodeLosesItsListenerOnTheOther()
    {
        if (!TestDatabase.IsPostgres)
        {
            return; // several nodes need PostgreSQL; the PostgreSQL run covers this.
        }
        using var a = new HttpClient { BaseAddress = Nodes[0].BaseAddress };
        var signup = await (await a.PostAsync("/v1/auth/signup", new { email = Actors.NewEmail(), password = "correct horse battery", name = "N" })).OkAsync(HttpStatusCode.Created);
        var token = signup.GetProperty("access_token").GetString();
        var ws = signup.GetProperty("workspace").GetProperty("id").GetString();
        var started = await (await a.PostAsync("/v1/devices/pairings", new { name = "laptop", platform = "linux" })).OkAsync(HttpStatusCode.Created);
        await (await a.PostAsync($"/v1/workspaces/{ws}/devices/approve", new { user_code = started.GetProperty("user_code").GetString() }, token)).OkAsync();
        var issued = await (await a.PostAsync("/v1/devices/pairings/token", new { device_code = started.GetProperty("device_code").GetString() })).OkAsync();

        await using var listener = await TestSocket.ConnectAsync(Nodes[1].BaseAddress, issued.GetProperty("device_token").GetString(), path: "/v1/devices/ws");
        await listener.SendAsync(new { type = "hello", listener_version = "test", hosts = Array.Empty<string>() });
        await listener.ExpectAsync("hello.ok");
        var online = await (await a.GetAsync($"/v1/workspaces/{ws}/devices", token)).OkAsync();
        Assert.True(online.GetProperty("data")[0].GetProperty("online").GetBoolean());
        await (await a.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{ws}/devices/{issued.GetProperty("device").GetProperty("id").GetString()}", token: token))
            .OkAsync(HttpStatusCode.NoContent);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await listener.WaitClosedAsync());
    }
}
