using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Parley.Client;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

/// <summary>Attempts happen only when a test runs the dispatch job, so each clock step decides exactly what is due.</summary>
public sealed class WebhookServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Network:AllowPrivateAddresses"] = "true";
        settings["Webhooks:BackgroundDispatch"] = "false";
    }
}

/// <summary>The default: events go out as soon as they commit.</summary>
public sealed class LiveWebhookServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Network:AllowPrivateAddresses"] = "true";
}

/// <summary>Webhooks against a real listener on loopback; every wait is the injected clock moved by the test.</summary>
public sealed class WebhookTests(WebhookServer server) : IClassFixture<WebhookServer>
{
    private HttpClient Http => server.Http;

    private async Task<string> RegisterAsync(TestAgent agent, string url, params string[] events)
    {
        var created = await (await Http.PostAsync("/v1/webhooks", new { url, events = events.Length > 0 ? events : new[] { "message.new" } }, agent.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        return secret;
    }

    private Task<HttpResponseMessage> DispatchAsync() => Http.PostAsync("/_test/jobs/webhook-dispatch", null);

    [Fact]
    public async Task FailuresAreRetriedOnTheScheduleAndSyncStillHasTheMessage()
    {
        await using var receiver = new WebhookReceiver { Respond = _ => 500 };
        var (a, b) = await server.PairAsync();
        await RegisterAsync(b, receiver.Url);
        await server.SendOkAsync(a, b.Handle, "keeps failing");
        await DispatchAsync();
        await receiver.NextAsync();
        var schedule = new[] { 10, 30, 60, 300, 900, 3600, 21600, 86400 };
        foreach (var seconds in schedule)
        {
            server.Clock.Advance(TimeSpan.FromSeconds(seconds - 1));
            await DispatchAsync();
            Assert.False(receiver.TryNext(out _), $"retried before {seconds} s");
            server.Clock.Advance(TimeSpan.FromSeconds(1));
            await DispatchAsync();
            await receiver.NextAsync();
            // Four failures in a row do not open the circuit; the fifth would (tested below): keep it closed here.
            if (seconds == 30)
            {
                receiver.Respond = _ => 200;
                break;
            }
        }
        Assert.Equal(3, receiver.Count);
        Assert.Contains((await server.SyncAsync(b)).GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("message").GetProperty("content").GetProperty("text").GetString() == "keeps failing");
    }

    [Fact]
    public async Task AfterTheLastRetryTheEventIsDropped()
    {
        await using var receiver = new WebhookReceiver { Respond = _ => 503 };
        var (a, b) = await server.PairAsync();
        await RegisterAsync(b, receiver.Url);
        await server.SendOkAsync(a, b.Handle, "doomed");
        await DispatchAsync();
        await receiver.NextAsync();
        foreach (var seconds in new[] { 10, 30, 60, 300, 900, 3600, 21600, 86400 })
        {
            // Keep the circuit out of the way: wait out any open period before each retry.
            server.Clock.Advance(TimeSpan.FromSeconds(Math.Max(seconds, 300)));
            await DispatchAsync();
            await receiver.NextAsync();
        }
        server.Clock.Advance(TimeSpan.FromDays(2));
        await DispatchAsync();
        Assert.False(receiver.TryNext(out _));
        Assert.Equal(9, receiver.Count);
        Assert.Contains((await server.SyncAsync(b)).GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("message").GetProperty("content").GetProperty("text").GetString() == "doomed");
    }

    [Fact]
    public async Task NoAnswerWithinTenSecondsIsAFailure()
    {
        await using var receiver = new WebhookReceiver { Respond = _ => null };
        var (a, b) = await server.PairAsync();
        await RegisterAsync(b, receiver.Url);
        await server.SendOkAsync(a, b.Handle, "slow endpoint");
        var timer = server.Clock.NextTimerCreated();
        var attempt = DispatchAsync();
        await receiver.NextAsync();
        await timer;
        Assert.False(attempt.IsCompleted);
        receiver.Respond = _ => 200;
        server.Clock.Advance(TimeSpan.FromSeconds(10));
        await attempt; // the attempt gave up at 10 s
        // The timed-out attempt is retried 10 s later.
        server.Clock.Advance(TimeSpan.FromSeconds(9));
        await DispatchAsync();
        Assert.Equal(1, receiver.Count);
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        await DispatchAsync();
        Assert.Equal(2, receiver.Count);
    }

    [Fact]
    public async Task FiveConsecutiveFailuresOpenTheCircuitForFiveMinutesThenOneProbeGoesThrough()
    {
        await using var receiver = new WebhookReceiver { Respond = _ => 500 };
        var (a, b) = await server.PairAsync();
        await RegisterAsync(b, receiver.Url);
        for (var i = 0; i < 5; i++)
        {
            await server.SendOkAsync(a, b.Handle, $"f{i}");
            await DispatchAsync();
            await receiver.NextAsync();
        }
        // Open: a new event and the due retries wait.
        await server.SendOkAsync(a, b.Handle, "while open");
        server.Clock.Advance(TimeSpan.FromSeconds(11));
        await DispatchAsync();
        Assert.False(receiver.TryNext(out _));
        Assert.Equal(5, receiver.Count);

        // After five minutes exactly one probe goes through; it succeeds, the circuit closes, the rest follow.
        receiver.Respond = _ => 200;
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await DispatchAsync();
        Assert.Equal(11, receiver.Count); // the probe, then the five retries and the event queued while open
    }

    [Fact]
    public async Task RedirectsAreNotFollowed()
    {
        await using var receiver = new WebhookReceiver { Respond = r => r.Path.EndsWith("/elsewhere", StringComparison.Ordinal) ? 200 : 302 };
        var (a, b) = await server.PairAsync();
        await RegisterAsync(b, receiver.Url);
        await server.SendOkAsync(a, b.Handle, "redirected");
        await DispatchAsync();
        var first = await receiver.NextAsync();
        Assert.Equal("/hook", first.Path);
        await DispatchAsync();
        Assert.False(receiver.TryNext(out _));
    }

    [Fact]
    public async Task AtMostFiveWebhooksAndOnlyHttpUrls()
    {
        var (_, a, _) = await server.TwoAgentsAsync();
        for (var i = 0; i < 5; i++)
        {
            await RegisterAsync(a, $"https://example.test/hook{i}");
        }
        var sixth = await (await Http.PostAsync("/v1/webhooks", new { url = "https://example.test/six", events = new[] { "message.new" } }, a.ApiKey))
            .ErrorAsync(ErrorCodes.Conflict);
        Assert.Equal(5, sixth.GetProperty("details").GetProperty("limit").GetInt32());
        var list = await (await Http.GetAsync("/v1/webhooks", a.ApiKey)).OkAsync();
        Assert.Equal(5, list.GetProperty("data").GetArrayLength());
        Assert.DoesNotContain("whsec_", list.ToString(), StringComparison.Ordinal);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/webhooks/{list.GetProperty("data")[0].GetProperty("id").GetString()}", token: a.ApiKey))
            .OkAsync(HttpStatusCode.NoContent);

        var (_, b, _) = await server.TwoAgentsAsync();
        var bad = await (await Http.PostAsync("/v1/webhooks", new { url = "ftp://example.test/x", events = new[] { "message.new" } }, b.ApiKey))
            .ErrorAsync(ErrorCodes.InvalidUrl);
        Assert.Equal("url", bad.GetProperty("details").GetProperty("field").GetString());
        await (await Http.PostAsync("/v1/webhooks", new { url = "not a url", events = new[] { "message.new" } }, b.ApiKey)).ErrorAsync(ErrorCodes.InvalidUrl);
        await (await Http.PostAsync("/v1/webhooks", new { url = "https://example.test/x", events = new[] { "everything" } }, b.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
    }
}

/// <summary>The private-address rule, with the rule in force.</summary>
public sealed class PrivateAddressTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task PrivateAddressesAreRefusedAtRegistrationAndWhenConnecting()
    {
        await using var receiver = new WebhookReceiver();
        var (a, b) = await server.PairAsync();
        var error = await (await server.Http.PostAsync("/v1/webhooks", new { url = receiver.Url, events = new[] { "message.new" } }, b.ApiKey))
            .ErrorAsync(ErrorCodes.InvalidUrl);
        Assert.Equal("url", error.GetProperty("details").GetProperty("field").GetString());

        // A name is accepted, but the address it resolves to is checked when connecting: localhost is loopback.
        var byName = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        await (await server.Http.PostAsync("/v1/webhooks", new { url = byName, events = new[] { "message.new" } }, b.ApiKey)).OkAsync(HttpStatusCode.Created);
        await server.SendOkAsync(a, b.Handle, "never sent");
        await server.Http.PostAsync("/_test/jobs/webhook-dispatch", null);
        Assert.Equal(0, receiver.Count);
    }
}

/// <summary>With background dispatch on (the default), events go out once they commit, without any trigger.</summary>
public sealed class LiveWebhookTests(LiveWebhookServer server) : IClassFixture<LiveWebhookServer>
{
    private HttpClient Http => server.Http;

    private async Task<string> RegisterAsync(TestAgent agent, string url, params string[] events)
    {
        var created = await (await Http.PostAsync("/v1/webhooks", new { url, events = events.Length > 0 ? events : new[] { "message.new" } }, agent.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        return created.GetProperty("secret").GetString()!;
    }

    [Fact]
    public async Task AMessageIsPostedSignedAndA2xxAcknowledgesTheDelivery()
    {
        await using var receiver = new WebhookReceiver();
        var (a, b) = await server.PairAsync();
        var items = (await server.SyncAsync(b)).GetProperty("messages").EnumerateArray().ToList();
        await (await Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = items[^1].GetProperty("delivery_id").GetString() }, b.ApiKey)).OkAsync();
        var secret = await RegisterAsync(b, receiver.Url);

        var sent = await server.SendOkAsync(a, b.Handle, "to the webhook");
        var hook = await receiver.NextAsync();
        var body = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal("message.new", body.GetProperty("event").GetString());
        Assert.Equal(sent.GetProperty("id").GetString(), body.GetProperty("data").GetProperty("message").GetProperty("id").GetString());
        Assert.True(WebhookSignature.Verify(secret, hook.Headers["webhook-id"], hook.Headers["webhook-timestamp"], hook.Headers["webhook-signature"],
            hook.Body, server.Clock.GetUtcNow()));
        // The signature is exactly Standard Webhooks' HMAC over "{id}.{timestamp}.{body}".
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret[6..]),
            Encoding.UTF8.GetBytes($"{hook.Headers["webhook-id"]}.{hook.Headers["webhook-timestamp"]}.{hook.Body}")));
        Assert.Equal("v1," + expected, hook.Headers["webhook-signature"]);

        // The 2xx acknowledged it: sync is empty without any ack from the agent.
        await WaitUntilAsync(async () => (await server.SyncAsync(b)).GetProperty("messages").GetArrayLength() == 0);
    }

    [Fact]
    public async Task NoticesReachWebhooksToo()
    {
        await using var receiver = new WebhookReceiver();
        var agent = await server.RegisterAgentAsync();
        await RegisterAsync(agent, receiver.Url, "agent.claimed");
        var owner = await server.SignupAsync();
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/claims", new { api_key = agent.ApiKey }, owner.AccessToken)).OkAsync();
        var hook = await receiver.NextAsync();
        var body = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal("agent.claimed", body.GetProperty("event").GetString());
        Assert.Equal(owner.WorkspaceId, body.GetProperty("data").GetProperty("workspace_id").GetString());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
