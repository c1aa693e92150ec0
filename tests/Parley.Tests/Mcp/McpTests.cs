using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Gateway;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Mcp;

/// <summary>
/// The MCP server driven by the official TypeScript SDK's client (tests/mcp-client, installed by the test script with
/// <c>npm ci</c>): connect over Streamable HTTP, list tools, whoami, send a message that mentions another agent, that
/// agent's check_mentions, claim_task from two agents (the second: already_claimed), a tool the key's scopes do not
/// cover, and no credential at all.
/// </summary>
public sealed class McpTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    private HttpClient Http => server.Http;

    private string McpUrl => new Uri(server.BaseAddress, "/mcp").ToString();

    /// <summary>Runs the TypeScript client with these steps; one JSON answer per line.</summary>
    private async Task<List<JsonElement>> ClientAsync(string key, params object[] steps)
    {
        var folder = Path.Combine(RepoPaths.Root, "tests", "mcp-client");
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("client.mjs");
        start.ArgumentList.Add(McpUrl);
        start.ArgumentList.Add(key);
        start.ArgumentList.Add(JsonSerializer.Serialize(steps));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length > 0, "the client printed nothing: " + await errors);
        return [.. lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    /// <summary>
    /// The official conformance suite's scenarios that fit a server of Parley's scope (docs/mcp.md lists the others,
    /// which test the suite's own reference tools, resources and prompts): each must pass every check.
    /// </summary>
    [Fact]
    public async Task TheOfficialConformanceScenariosThatFitParleyPass()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.Combine(RepoPaths.Root, "tests", "mcp-client"), RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in new[] { "conformance.mjs", McpUrl, agent.ApiKey, "server-initialize", "ping", "logging-set-level", "tools-list", "dns-rebinding-protection" })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        var runs = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.True(runs.Count == 5, "the suite did not run every scenario: " + await errors);
        foreach (var run in runs)
        {
            var text = run.GetProperty("output").GetString()!;
            Assert.True(run.GetProperty("exit").GetInt32() == 0 && text.Contains(" 0 failed", StringComparison.Ordinal),
                run.GetProperty("scenario").GetString() + ":\n" + text);
        }
    }

    [Fact]
    public async Task AnAgentUsesParleyThroughTheOfficialClient()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);
        var answers = await ClientAsync(setup.A.ApiKey,
            new { list = true },
            new { tool = "whoami" },
            new { tool = "send_message", arguments = new { room = setup.RoomId, body = "over to you", mentions = new[] { setup.B.Handle } } },
            new { tool = "claim_task", arguments = new { task = task.Id() } });
        Assert.True(answers[0].GetProperty("connected").GetBoolean());
        var tools = answers[1].GetProperty("tools").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Contains("whoami", tools);
        Assert.Contains("claim_task", tools);
        Assert.Contains("http_request", tools);
        var whoami = answers[2].GetProperty("result");
        Assert.Equal(setup.A.Id, whoami.GetProperty("structuredContent").GetProperty("id").GetString());
        Assert.Equal(0, whoami.GetProperty("_meta").GetProperty("pending_mentions").GetInt32());
        var sent = answers[3].GetProperty("result").GetProperty("structuredContent");
        Assert.Equal("over to you", sent.GetProperty("body").GetString());
        Assert.False(answers[4].GetProperty("result").TryGetProperty("isError", out var claimError) && claimError.GetBoolean());

        // B sees the mention, and its own claim of the held task says already_claimed.
        var b = await ClientAsync(setup.B.ApiKey,
            new { tool = "check_mentions" },
            new { tool = "claim_task", arguments = new { task = task.Id() } });
        var mentions = b[1].GetProperty("result");
        Assert.Equal(1, mentions.GetProperty("_meta").GetProperty("pending_mentions").GetInt32());
        Assert.Equal(sent.GetProperty("id").GetString(), mentions.GetProperty("structuredContent").GetProperty("data")[0].GetProperty("message_id").GetString());
        var held = b[2].GetProperty("result");
        Assert.True(held.GetProperty("isError").GetBoolean());
        Assert.StartsWith("already_claimed", held.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(ErrorCodes.TaskAlreadyClaimed, held.GetProperty("structuredContent").GetProperty("error").GetProperty("code").GetString());

        // The rest of an agent's day: the board, members, files, a direct message and its sync.
        await (await Http.PostAsync($"/v1/contacts", new { handle = setup.A.Handle }, setup.B.ApiKey)).OkAsync(HttpStatusCode.Created);
        var more = await ClientAsync(setup.A.ApiKey,
            new { tool = "create_task", arguments = new { room = setup.RoomId, title = "write the summary", assignee = setup.B.Handle } },
            new { tool = "list_members", arguments = new { room = setup.RoomId } },
            new { tool = "resolve_handle", arguments = new { handle = setup.B.Handle } },
            new { tool = "write_file", arguments = new { room = setup.RoomId, path = "notes/summary.md", content = "# Summary" } },
            new { tool = "list_files", arguments = new { room = setup.RoomId } },
            new { tool = "read_file", arguments = new { room = setup.RoomId, path = "notes/summary.md" } },
            new { tool = "send_direct_message", arguments = new { to = setup.B.Handle, text = "see the notes" } });
        Assert.All(more.Skip(1), answer => Assert.False(answer.GetProperty("result").TryGetProperty("isError", out var e) && e.GetBoolean(), answer.GetRawText()));
        Assert.Equal(setup.B.Id, more[1].GetProperty("result").GetProperty("structuredContent").GetProperty("assignee").GetProperty("id").GetString());
        Assert.Equal(3, more[2].GetProperty("result").GetProperty("structuredContent").GetProperty("data").GetArrayLength());
        Assert.Equal("notes/summary.md", more[5].GetProperty("result").GetProperty("structuredContent").GetProperty("data")[0].GetProperty("path").GetString());
        Assert.Equal(("# Summary", "utf-8"), (more[6].GetProperty("result").GetProperty("structuredContent").GetProperty("content").GetString(),
            more[6].GetProperty("result").GetProperty("structuredContent").GetProperty("encoding").GetString()));
        var inbox = await ClientAsync(setup.B.ApiKey, new { tool = "sync_messages" });
        var synced = inbox[1].GetProperty("result").GetProperty("structuredContent");
        var delivery = synced.GetProperty("messages")[0];
        Assert.Equal("see the notes", delivery.GetProperty("message").GetProperty("content").GetProperty("text").GetString());
        var acked = await ClientAsync(setup.B.ApiKey, new { tool = "ack_messages", arguments = new { last_delivery_id = delivery.GetProperty("delivery_id").GetString() } });
        Assert.False(acked[1].GetProperty("result").TryGetProperty("isError", out var ackError) && ackError.GetBoolean(), acked[1].GetRawText());
    }

    [Fact]
    public async Task NoCredentialAMissingScopeAndAForeignOriginAreRefused()
    {
        var answers = await ClientAsync("prl_sk_notakey_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", new { tool = "whoami" });
        Assert.False(answers[0].GetProperty("connected").GetBoolean());
        using var anonymous = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        var refused = await Http.SendAsync(anonymous);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("resource_metadata=\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var metadata = await (await Http.GetAsync("/.well-known/oauth-protected-resource")).JsonAsync();
        Assert.EndsWith("/mcp", metadata.GetProperty("resource").GetString());

        var owner = await server.SignupAsync();
        var reader = await server.CreateAgentAsync(owner, scopes: ["read"]);
        var scoped = await ClientAsync(reader.ApiKey, new { tool = "whoami" }, new { tool = "send_direct_message", arguments = new { to = reader.Handle, text = "hi" } });
        Assert.Equal(reader.Id, scoped[1].GetProperty("result").GetProperty("structuredContent").GetProperty("id").GetString());
        Assert.Equal(403, scoped[2].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("insufficient_scope", scoped[2].GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        using var call = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"send_message\",\"arguments\":{}}}", Encoding.UTF8, "application/json"),
        };
        call.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", reader.ApiKey);
        call.Headers.Accept.ParseAdd("application/json");
        call.Headers.Accept.ParseAdd("text/event-stream");
        var insufficient = await Http.SendAsync(call);
        Assert.Equal(HttpStatusCode.Forbidden, insufficient.StatusCode);
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"write\"", insufficient.Headers.WwwAuthenticate.ToString());

        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        foreign.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", reader.ApiKey);
        foreign.Headers.Add("Origin", "https://evil.example.org");
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.SendAsync(foreign)).StatusCode);
    }
}

/// <summary>A server where an agent may read a room once a minute, and two browser origins may call /mcp.</summary>
public sealed class McpRateServer : GatewayServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["Limits:Rates:room-read:Limit"] = "1";
        settings["Limits:Rates:room-read:WindowSeconds"] = "60";
        settings["Mcp:AllowedOrigins"] = "https://app.example.org, https://tools.example.org";
    }
}

/// <summary>A tool call counts on the agent's rate limit as its REST route does.</summary>
public sealed class McpRateTests(McpRateServer server) : IClassFixture<McpRateServer>
{
    [Fact]
    public async Task ToolCallsTakeTheAgentsRateLimits()
    {
        var setup = await server.RoomWithAgentsAsync();
        var folder = Path.Combine(RepoPaths.Root, "tests", "mcp-client");
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "client.mjs", new Uri(server.BaseAddress, "/mcp").ToString(), setup.A.ApiKey,
                     JsonSerializer.Serialize(new object[] { new { tool = "read_room", arguments = new { room = setup.RoomId } }, new { tool = "read_room", arguments = new { room = setup.RoomId } } }) })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var lines = (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        await process.WaitForExitAsync();
        Assert.False(lines[1].GetProperty("result").TryGetProperty("isError", out var first) && first.GetBoolean());
        var limited = lines[2].GetProperty("result");
        Assert.True(limited.GetProperty("isError").GetBoolean());
        Assert.Equal(ErrorCodes.RateLimited, limited.GetProperty("structuredContent").GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task OriginsListedInTheSettingsMayCallAndOthersMayNot()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        async Task<HttpStatusCode> InitializeFromAsync(string origin) => (await InitializeAsync(agent.ApiKey, "2025-11-25", origin)).Status;
        Assert.Equal(HttpStatusCode.OK, await InitializeFromAsync("https://tools.example.org"));
        Assert.Equal(HttpStatusCode.OK, await InitializeFromAsync("https://app.example.org"));
        Assert.Equal(HttpStatusCode.Forbidden, await InitializeFromAsync("https://evil.example.org"));
    }

    [Fact]
    public async Task ClientsOfBothProtocolVersionsAreAnsweredInTheirOwn()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        foreach (var version in new[] { "2025-06-18", "2025-11-25" })
        {
            var (status, result) = await InitializeAsync(agent.ApiKey, version);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(version, result.GetProperty("result").GetProperty("protocolVersion").GetString());
            Assert.True(result.GetProperty("result").GetProperty("capabilities").TryGetProperty("tools", out _));
        }
    }

    /// <summary>An <c>initialize</c> request by hand; the answer's JSON-RPC message (from a JSON or an event-stream body).</summary>
    private async Task<(HttpStatusCode Status, JsonElement Message)> InitializeAsync(string key, string version, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(JsonSerializer.Serialize(new
            {
                jsonrpc = "2.0", id = 1, method = "initialize",
                @params = new { protocolVersion = version, capabilities = new { }, clientInfo = new { name = "t", version = "1" } },
            }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        using var response = await server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return (response.StatusCode, default);
        }
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? body.Split('\n').First(l => l.StartsWith("data: ", StringComparison.Ordinal))[6..]
            : body;
        return (response.StatusCode, JsonDocument.Parse(json).RootElement.Clone());
    }
}
