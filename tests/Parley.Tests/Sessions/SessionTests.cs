using System.Net;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Gateway;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sessions;

/// <summary>A gateway server whose model tokens cost credits, with a short provider timeout.</summary>
public sealed class SessionServer : GatewayServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["Governance:Prices:model_input_1k_tokens"] = "1";
        settings["Governance:Prices:model_output_1k_tokens"] = "2";
        settings["Sessions:TimeoutSeconds"] = "2";
        settings["Sessions:MaxOutputTokens"] = "2000";
    }
}

/// <summary>
/// Model sessions against a real OpenAI-compatible fake provider and a real site: plain and streamed answers, tool
/// rounds, a failing tool, the round cap, the provider's timeout and failure, a client that leaves mid-stream, credits
/// reserved before and settled after, expiry on the injected clock.
/// </summary>
public sealed class SessionTests(SessionServer server) : IClassFixture<SessionServer>
{
    private HttpClient Http => server.Http;

    private sealed record Setup(Owner Owner, FakeModelProvider Provider, string ProviderId);

    private async Task<Setup> SetupAsync(decimal credits = 100)
    {
        var owner = await server.SignupAsync();
        var provider = await FakeModelProvider.StartAsync();
        var created = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/models",
            new { name = "local", base_url = provider.BaseUrl.ToString(), api_key = "sk-model-key-2468", models = new[] { "tiny", "big" }, default_model = "tiny" },
            owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        if (credits > 0)
        {
            await (await Http.PostAsync($"/v1/admin/workspaces/{owner.WorkspaceId}/credits", new { amount = credits, reason = "test" }, await server.AdminTokenAsync()))
                .OkAsync(HttpStatusCode.Created);
        }
        return new Setup(owner, provider, created.Id());
    }

    private async Task<string> SessionAsync(Setup setup, object? body = null) =>
        (await (await Http.PostAsync("/v1/sessions", body ?? new { workspace_id = setup.Owner.WorkspaceId }, setup.Owner.AccessToken))
            .OkAsync(HttpStatusCode.Created)).Id();

    private async Task<string> WeatherSiteAsync(Owner owner, Upstream site)
    {
        site.Answers["/.well-known/webmcp.json"] = _ => (200, "application/json", JsonSerializer.Serialize(new
        {
            name = "Weather", version = "1", server = new { url = site.Url("/api").ToString() }, auth = new { type = "bearer" },
            tools = new object[]
            {
                new { name = "forecast", description = "The forecast.", input_schema = new { type = "object", required = new[] { "city" }, properties = new { city = new { type = "string" } } } },
                new { name = "broken", description = "Fails.", input_schema = new { type = "object" } },
            },
        }));
        site.Answers["/api/tools/forecast"] = seen => (200, "application/json", "{\"sky\":\"clear\",\"asked\":" + System.Text.Encoding.UTF8.GetString(seen.Body) + "}");
        site.Answers["/api/tools/broken"] = _ => (500, "text/plain", "down");
        return (await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/sites", new { url = site.BaseAddress.ToString() }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created)).GetProperty("site").Id();
    }

    /// <summary>Sends a message with stream: true and reads every Server-Sent Event to the end.</summary>
    private async Task<List<(string Type, JsonElement Data)>> StreamAsync(string token, string sessionId, string content)
    {
        using var request = Infrastructure.Http.Request(HttpMethod.Post, $"/v1/sessions/{sessionId}/messages", new { content, stream = true }, token);
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<(string, JsonElement)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? type = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((type!, JsonDocument.Parse(line[6..]).RootElement.Clone()));
            }
        }
        return events;
    }

    private async Task<decimal> BalanceAsync(Owner owner) =>
        (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/credits", owner.AccessToken)).OkAsync()).GetProperty("balance").GetDecimal();

    [Fact]
    public async Task APlainAnswerIsPaidByTheTokensUsedWithTheVaultKeyInjected()
    {
        var setup = await SetupAsync();
        await using var _ = setup.Provider;
        var session = await SessionAsync(setup, new { workspace_id = setup.Owner.WorkspaceId, model = "big", system = "Be brief." });
        setup.Provider.Then(new FakeModelProvider.Turn(Text: "Hello there.", InputTokens: 1200, OutputTokens: 800));
        var answer = await (await Http.PostAsync($"/v1/sessions/{session}/messages", new { content = "Hi!" }, setup.Owner.AccessToken)).OkAsync();
        var message = answer.GetProperty("message");
        Assert.Equal(("assistant", "Hello there.", "complete"), (message.GetProperty("role").GetString(), message.GetProperty("content").GetString(),
            message.GetProperty("status").GetString()));
        Assert.Equal((1200, 800), (message.GetProperty("usage").GetProperty("input_tokens").GetInt32(), message.GetProperty("usage").GetProperty("output_tokens").GetInt32()));
        // 1,200 input tokens = 2 started thousands at 1 credit; 800 output = 1 thousand at 2: 4 credits, the reservation's rest refunded.
        Assert.Equal(4m, message.GetProperty("credits").GetDecimal());
        Assert.Equal(96m, await BalanceAsync(setup.Owner));
        var ledger = (await (await Http.GetAsync($"/v1/workspaces/{setup.Owner.WorkspaceId}/credits/ledger", setup.Owner.AccessToken)).OkAsync()).GetProperty("data");
        Assert.Equal(["refund", "usage", "grant"], ledger.EnumerateArray().Select(e => e.GetProperty("source").GetString()));

        var seen = Assert.Single(setup.Provider.Requests);
        Assert.Equal("Bearer sk-model-key-2468", seen.Headers["authorization"]);
        Assert.Equal(("big", false), (seen.Body.GetProperty("model").GetString(), seen.Body.GetProperty("stream").GetBoolean()));
        Assert.Equal(["system", "user"], seen.Body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        var usage = await (await Http.GetAsync($"/v1/workspaces/{setup.Owner.WorkspaceId}/usage", setup.Owner.AccessToken)).OkAsync();
        Assert.Equal(2000, usage.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "model_tokens").GetProperty("count").GetInt64());
        var messages = await (await Http.GetAsync($"/v1/sessions/{session}/messages", setup.Owner.AccessToken)).OkAsync();
        Assert.Equal(["user", "assistant"], messages.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task AStreamedAnswerRunsTheModelsToolCallsThroughTheGatewayAndGoesOnPastAFailingTool()
    {
        var setup = await SetupAsync();
        await using var _ = setup.Provider;
        await using var site = await Upstream.StartAsync();
        var siteId = await WeatherSiteAsync(setup.Owner, site);
        var agent = await server.CreateAgentAsync(setup.Owner);
        var session = (await (await Http.PostAsync("/v1/sessions", new { sites = new[] { siteId } }, agent.ApiKey)).OkAsync(HttpStatusCode.Created)).Id();
        setup.Provider.Then(new FakeModelProvider.Turn(Tool: "forecast", Arguments: "{\"city\":\"Oslo\"}"));
        setup.Provider.Then(new FakeModelProvider.Turn(Tool: "broken", Arguments: "{}"));
        setup.Provider.Then(new FakeModelProvider.Turn(Text: "Clear skies in Oslo, though one tool failed."));

        var events = await StreamAsync(agent.ApiKey, session, "Weather in Oslo?");
        Assert.Equal(["tool_call", "tool_result", "tool_call", "tool_result"], events.Where(e => e.Type.StartsWith("tool", StringComparison.Ordinal)).Select(e => e.Type));
        var call = events.First(e => e.Type == "tool_call").Data;
        Assert.Equal((siteId, "forecast", "Oslo"), (call.GetProperty("site_id").GetString(), call.GetProperty("tool").GetString(),
            call.GetProperty("arguments").GetProperty("city").GetString()));
        var results = events.Where(e => e.Type == "tool_result").Select(e => e.Data).ToList();
        Assert.True(results[0].GetProperty("ok").GetBoolean());
        Assert.Equal("clear", results[0].GetProperty("result").GetProperty("sky").GetString());
        Assert.False(results[1].GetProperty("ok").GetBoolean());
        Assert.Equal(ErrorCodes.UpstreamError, results[1].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("Clear skies in Oslo, though one tool failed.", string.Concat(events.Where(e => e.Type == "delta").Select(e => e.Data.GetProperty("text").GetString())));
        var done = events[^1];
        Assert.Equal("done", done.Type);
        Assert.Equal(3 * 1200, done.Data.GetProperty("usage").GetProperty("input_tokens").GetInt32());

        // The site got the model's arguments; the model was offered the tools and given both results.
        Assert.Equal("{\"city\":\"Oslo\"}", System.Text.Encoding.UTF8.GetString(site.Requests.Single(r => r.Path == "/api/tools/forecast").Body));
        var requests = setup.Provider.Requests.ToList();
        Assert.Equal(2, requests[0].Body.GetProperty("tools").GetArrayLength());
        var last = requests[2].Body.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["user", "assistant", "tool", "assistant", "tool"], last.Select(m => m.GetProperty("role").GetString()));
        Assert.Contains("UPSTREAM_ERROR", last[^1].GetProperty("content").GetString(), StringComparison.Ordinal);
        var log = (await (await Http.GetAsync($"/v1/workspaces/{setup.Owner.WorkspaceId}/gateway/log?agent={agent.Handle}", setup.Owner.AccessToken)).OkAsync())
            .GetProperty("data").EnumerateArray().Select(l => l.GetProperty("via").GetString()).ToList();
        Assert.Equal(2, log.Count(v => v == "tool"));
        Assert.Equal(3, log.Count(v => v == "api"));
    }

    [Fact]
    public async Task TheRoundCapEndsToolCallingAndTheProvidersFailuresAreCatalogErrors()
    {
        var setup = await SetupAsync();
        await using var _ = setup.Provider;
        await using var site = await Upstream.StartAsync();
        var siteId = await WeatherSiteAsync(setup.Owner, site);
        var session = await SessionAsync(setup, new { workspace_id = setup.Owner.WorkspaceId, sites = new[] { siteId }, max_tool_rounds = 1 });
        setup.Provider.Then(new FakeModelProvider.Turn(Tool: "forecast", Arguments: "{\"city\":\"Rome\"}"));
        setup.Provider.Then(new FakeModelProvider.Turn(Text: "Enough tools."));
        var capped = await (await Http.PostAsync($"/v1/sessions/{session}/messages", new { content = "Go" }, setup.Owner.AccessToken)).OkAsync();
        Assert.Equal("Enough tools.", capped.GetProperty("message").GetProperty("content").GetString());
        Assert.False(setup.Provider.Requests.Last().Body.TryGetProperty("tools", out var unused), "the last round offered tools");

        setup.Provider.Then(new FakeModelProvider.Turn(Status: 500));
        var failed = await (await Http.PostAsync($"/v1/sessions/{session}/messages", new { content = "Again" }, setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.UpstreamError);
        Assert.Equal(("model", 500), (failed.GetProperty("details").GetProperty("upstream").GetString(), failed.GetProperty("details").GetProperty("upstream_status").GetInt32()));
        setup.Provider.Then(new FakeModelProvider.Turn(Hang: true));
        await (await Http.PostAsync($"/v1/sessions/{session}/messages", new { content = "Slow" }, setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.UpstreamTimeout);
        var messages = (await (await Http.GetAsync($"/v1/sessions/{session}/messages", setup.Owner.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([ErrorCodes.UpstreamError, ErrorCodes.UpstreamTimeout], messages.Where(m => m.GetProperty("status").GetString() == "failed")
            .Select(m => m.GetProperty("error_code").GetString()));
    }

    [Fact]
    public async Task AClientThatLeavesMidStreamAbortsTheMessageAndKeepsNoPartialText()
    {
        var setup = await SetupAsync();
        await using var _ = setup.Provider;
        var session = await SessionAsync(setup);
        setup.Provider.Then(new FakeModelProvider.Turn(Text: "This will be cut off here", HangAfterFirstPiece: true));
        using (var leave = new CancellationTokenSource())
        {
            using var request = Infrastructure.Http.Request(HttpMethod.Post, $"/v1/sessions/{session}/messages", new { content = "Talk", stream = true }, setup.Owner.AccessToken);
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, leave.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(leave.Token));
            while (await reader.ReadLineAsync(leave.Token) is { } line && !line.StartsWith("data:", StringComparison.Ordinal))
            {
            }
            await leave.CancelAsync();
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement last;
        while (true)
        {
            last = (await (await Http.GetAsync($"/v1/sessions/{session}/messages", setup.Owner.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray().Last();
            if (last.GetProperty("role").GetString() == "assistant")
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the aborted message was not stored");
            await Task.Delay(20);
        }
        Assert.Equal(("aborted", ErrorCodes.StreamAborted, ""), (last.GetProperty("status").GetString(), last.GetProperty("error_code").GetString(),
            last.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task NoCreditsSendsNothingOneAnswerAtATimeAndASessionExpires()
    {
        var broke = await SetupAsync(credits: 0);
        await using (broke.Provider)
        {
            var session = await SessionAsync(broke);
            await (await Http.PostAsync($"/v1/sessions/{session}/messages", new { content = "Hi" }, broke.Owner.AccessToken)).ErrorAsync(ErrorCodes.NoCredits);
            Assert.Empty(broke.Provider.Requests);
        }

        var setup = await SetupAsync();
        await using var _ = setup.Provider;
        var busy = await SessionAsync(setup);
        setup.Provider.Then(new FakeModelProvider.Turn(Text: "slow", HangAfterFirstPiece: true));
        using var leave = new CancellationTokenSource();
        using var first = Infrastructure.Http.Request(HttpMethod.Post, $"/v1/sessions/{busy}/messages", new { content = "One", stream = true }, setup.Owner.AccessToken);
        using var streaming = await Http.SendAsync(first, HttpCompletionOption.ResponseHeadersRead, leave.Token);
        await (await Http.PostAsync($"/v1/sessions/{busy}/messages", new { content = "Two" }, setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.Conflict);
        await leave.CancelAsync();

        var idle = await SessionAsync(setup);
        server.Clock.Advance(TimeSpan.FromMinutes(61));
        var owner = (await (await Http.PostAsync("/v1/auth/login", new { email = setup.Owner.Email, password = setup.Owner.Password })).OkAsync())
            .GetProperty("access_token").GetString();
        var expired = await (await Http.PostAsync($"/v1/sessions/{idle}/messages", new { content = "Still there?" }, owner)).ErrorAsync(ErrorCodes.SessionExpired);
        Assert.True(expired.GetProperty("details").GetProperty("expired_at").GetDateTimeOffset() <= server.Clock.GetUtcNow());

        await (await Http.GetAsync("/v1/sessions/not-a-session", owner)).ErrorAsync(ErrorCodes.ValidationError);
        var stranger = await server.SignupAsync();
        await (await Http.GetAsync($"/v1/sessions/{idle}", stranger.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/sessions/{idle}", null, owner)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync($"/v1/sessions/{idle}", owner)).ErrorAsync(ErrorCodes.NotFound);
    }
}
