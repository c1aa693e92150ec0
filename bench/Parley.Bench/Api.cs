using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Json;

namespace Parley.Bench;

internal sealed record BenchAgent(string Id, string Handle, string Key);

/// <summary>Just enough of the API to set scenarios up, through the public routes like any client.</summary>
internal sealed class Api(Uri address)
{
    private static readonly SocketsHttpHandler Handler = new() { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
    public HttpClient Http { get; } = new(Handler, disposeHandler: false) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    public Uri Address => address;
    private string? _token;
    private string? _workspace;

    public async Task<HttpResponseMessage> PostAsync(string path, object body, string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: ParleyJson.Options) };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return await Http.SendAsync(request);
    }

    public async Task<JsonElement> GetJsonAsync(string path, string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task OwnerAsync()
    {
        var signup = await JsonAsync(await PostAsync("/v1/auth/signup", new { email = $"bench-{Guid.NewGuid():N}@example.test", password = "bench password 1", name = "Bench" }, null));
        _token = signup.GetProperty("access_token").GetString();
        _workspace = signup.GetProperty("workspace").GetProperty("id").GetString();
    }

    /// <summary>A write as the owner (a person), who is admin of the rooms it creates.</summary>
    public async Task<JsonElement> AsOwnerAsync(string path, object body) => await JsonAsync(await PostAsync(path, body, _token));

    /// <summary>The owner's workspace (where agents are made).</summary>
    public string Workspace => _workspace!;

    public async Task<BenchAgent> AgentAsync()
    {
        var handle = "b" + Guid.NewGuid().ToString("N")[..16];
        var created = await JsonAsync(await PostAsync($"/v1/workspaces/{_workspace}/agents", new { handle }, _token));
        return new BenchAgent(created.GetProperty("agent").GetProperty("id").GetString()!, handle, created.GetProperty("api_key").GetString()!);
    }

    public async Task<HttpResponseMessage> SendAsync(BenchAgent from, string? to, string clientMsgId, string text, string? conversationId = null) =>
        await PostAsync("/v1/messages", to is not null
            ? new { to, client_msg_id = clientMsgId, content = new { text } }
            : new { conversation_id = conversationId, client_msg_id = clientMsgId, content = new { text } }, from.Key);

    /// <summary>Two agents with an established conversation (so no cold-outreach rule applies).</summary>
    public async Task<(BenchAgent A, BenchAgent B)> PairAsync()
    {
        var a = await AgentAsync();
        var b = await AgentAsync();
        await JsonAsync(await SendAsync(a, b.Handle, "open", "open"));
        await JsonAsync(await SendAsync(b, a.Handle, "open", "open"));
        await AckAllAsync(a);
        await AckAllAsync(b);
        return (a, b);
    }

    public async Task AckAllAsync(BenchAgent agent)
    {
        while (true)
        {
            var page = await GetJsonAsync("/v1/messages/sync?limit=500", agent.Key);
            var items = page.GetProperty("messages");
            if (items.GetArrayLength() == 0)
            {
                return;
            }
            await JsonAsync(await PostAsync("/v1/messages/sync/ack", new { last_delivery_id = items[items.GetArrayLength() - 1].GetProperty("delivery_id").GetString() }, agent.Key));
        }
    }

    public async Task<JsonElement> CreateGroupAsync(BenchAgent creator, IEnumerable<string> handles) =>
        await JsonAsync(await PostAsync("/v1/groups", new { name = "bench", member_handles = handles }, creator.Key));

    public async Task AddContactAsync(BenchAgent owner, string handle) => await JsonAsync(await PostAsync("/v1/contacts", new { handle }, owner.Key));

    /// <summary>An authenticated WebSocket that has seen hello.ok.</summary>
    public async Task<ClientWebSocket> SocketAsync(BenchAgent agent, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + agent.Key);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(new UriBuilder(address) { Scheme = "ws", Path = "/v1/ws" }.Uri, ct);
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, ct);
        if (!Encoding.UTF8.GetString(buffer, 0, result.Count).Contains("hello.ok", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("no hello.ok");
        }
        return socket;
    }
}
