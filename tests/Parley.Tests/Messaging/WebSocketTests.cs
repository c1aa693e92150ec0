using System.Net;
using System.Net.WebSockets;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

public sealed class WebSocketTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task BothAuthFormsWorkAndABadCredentialClosesWith1008()
    {
        var (_, a, _) = await server.TwoAgentsAsync();
        await using (var header = await TestSocket.ConnectAsync(server.BaseAddress, a.ApiKey))
        {
            var hello = await header.ExpectAsync("hello.ok");
            Assert.Equal(a.Id, hello.GetProperty("payload").GetProperty("agent_id").GetString());
        }
        await using (var frame = await TestSocket.ConnectAsync(server.BaseAddress, helloKey: a.ApiKey))
        {
            await frame.ExpectAsync("hello.ok");
        }
        await using (var bad = await TestSocket.ConnectAsync(server.BaseAddress, "prl_sk_AAAAAAAAAAAA_" + new string('a', 43)))
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await bad.WaitClosedAsync());
        }
        await using (var badHello = await TestSocket.ConnectAsync(server.BaseAddress, helloKey: "prl_sk_nonsense"))
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await badHello.WaitClosedAsync());
        }
        var owner = await server.SignupAsync();
        await using (var ownerToken = await TestSocket.ConnectAsync(server.BaseAddress, owner.AccessToken))
        {
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, await ownerToken.WaitClosedAsync());
        }
    }

    [Fact]
    public async Task WithoutAHelloWithinFiveSecondsTheSocketCloses()
    {
        var timer = server.Clock.NextTimerCreated();
        await using var silent = await TestSocket.ConnectAsync(server.BaseAddress);
        await timer;
        server.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await silent.WaitClosedAsync());
    }

    [Fact]
    public async Task ANewSocketFirstDrainsUnacknowledgedDeliveriesThenGoesLive()
    {
        var (a, b) = await server.PairAsync();
        await server.SendOkAsync(a, b.Handle, "while offline");
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, b.ApiKey);
        var texts = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            texts.Add((await socket.ExpectAsync("message.new")).GetProperty("payload").GetProperty("message").GetProperty("content").GetProperty("text").GetString()!);
        }
        Assert.Equal(["hi", "while offline"], texts);
        await server.SendOkAsync(a, b.Handle, "live");
        var live = await socket.ExpectAsync("message.new");
        Assert.Equal("live", live.GetProperty("payload").GetProperty("message").GetProperty("content").GetProperty("text").GetString());

        // Acknowledge over the socket: the next socket starts after it.
        await socket.SendAsync(new { type = "ack", last_delivery_id = live.GetProperty("payload").GetProperty("delivery_id").GetString() });
        Assert.Equal(3, (await socket.ExpectAsync("ack.ok")).GetProperty("payload").GetProperty("acked").GetInt64());
        await using var next = await TestSocket.OpenAsync(server.BaseAddress, b.ApiKey);
        await server.SendOkAsync(a, b.Handle, "after ack");
        Assert.Equal("after ack", (await next.ExpectAsync("message.new")).GetProperty("payload").GetProperty("message").GetProperty("content").GetProperty("text").GetString());
    }

    [Fact]
    public async Task EverySocketOfAnAgentReceives()
    {
        var (a, b) = await server.PairAsync();
        await using var one = await TestSocket.OpenAsync(server.BaseAddress, b.ApiKey);
        await using var two = await TestSocket.OpenAsync(server.BaseAddress, b.ApiKey);
        var sent = await server.SendOkAsync(a, b.Handle, "to both");
        foreach (var socket in new[] { one, two })
        {
            while (true)
            {
                var frame = await socket.ExpectAsync("message.new");
                if (frame.GetProperty("payload").GetProperty("message").GetProperty("id").GetString() == sent.GetProperty("id").GetString())
                {
                    break;
                }
            }
        }
    }

    [Fact]
    public async Task ReadReceiptsAndTypingReachTheOtherSide()
    {
        var (a, b) = await server.PairAsync();
        await using var socketA = await TestSocket.OpenAsync(server.BaseAddress, a.ApiKey);
        await using var socketB = await TestSocket.OpenAsync(server.BaseAddress, b.ApiKey);
        var sent = await server.SendOkAsync(a, b.Handle, "read me");
        await (await Http.PostAsync($"/v1/messages/{sent.GetProperty("id").GetString()}/read", null, b.ApiKey)).OkAsync();
        var read = await socketA.ExpectAsync("message.read");
        Assert.Equal(sent.GetProperty("id").GetString(), read.GetProperty("payload").GetProperty("message_id").GetString());
        Assert.Equal(b.Handle, read.GetProperty("payload").GetProperty("reader").GetProperty("handle").GetString());

        await socketB.SendAsync(new { type = "typing.start", conversation_id = sent.GetProperty("conversation_id").GetString() });
        var typing = await socketA.ExpectAsync("typing.start");
        Assert.Equal(b.Handle, typing.GetProperty("payload").GetProperty("from").GetProperty("handle").GetString());
        await socketB.SendAsync(new { type = "typing.start", conversation_id = "conv_not_mine" });
        Assert.Equal("CONVERSATION_NOT_FOUND", (await socketB.ExpectAsync("error")).GetProperty("payload").GetProperty("code").GetString());
    }

    [Fact]
    public async Task MalformedClientFramesAnswerAnErrorFrameAndTheSocketStaysOpen()
    {
        var (_, b) = await server.PairAsync();
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, b.ApiKey);
        var delivery = await socket.ExpectAsync("message.new");
        string[] malformed =
        [
            "not json", "5", "[1,2]", "null", "{}", """{"type":5}""", """{"type":"no.such.frame"}""",
            """{"type":"ack","last_delivery_id":5}""", """{"type":"ack","payload":7}""", """{"type":"ack","last_delivery_id":"del_999999"}""",
            """{"type":"typing.start","conversation_id":{"a":1}}""",
        ];
        foreach (var text in malformed)
        {
            await socket.SendTextAsync(text);
            var error = await socket.ExpectAsync("error", failOn: "ack.ok");
            var code = error.GetProperty("payload").GetProperty("code").GetString();
            Assert.True(code is "VALIDATION_ERROR" or "CONVERSATION_NOT_FOUND", $"{text} answered {code}");
        }
        Assert.False(socket.Closed.IsCompleted);
        await socket.SendAsync(new { type = "ack", last_delivery_id = delivery.GetProperty("payload").GetProperty("delivery_id").GetString() });
        Assert.Equal(1, (await socket.ExpectAsync("ack.ok")).GetProperty("payload").GetProperty("acked").GetInt64());
    }

    [Fact]
    public async Task PingsEveryThirtySecondsAndClosesWithoutAnAnswerWithinTen()
    {
        var (a, _) = await server.PairAsync();
        var pingTimer = server.Clock.NextTimerCreated();
        await using var answering = await TestSocket.OpenAsync(server.BaseAddress, a.ApiKey);
        answering.AnswerPings = true;
        await pingTimer;
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        await answering.ExpectAsync("ping");
        // The pong went out before the ping was handed to the test; a frame the server answers proves it was handled
        // (the server reads a socket's frames in order), without waiting on a wall clock.
        await answering.SendAsync(new { type = "round.trip" });
        await answering.ExpectAsync("error");
        server.Clock.Advance(TimeSpan.FromSeconds(10));
        server.Clock.Advance(TimeSpan.FromSeconds(20));
        await answering.ExpectAsync("ping");
        Assert.False(answering.Closed.IsCompleted);

        var silentTimer = server.Clock.NextTimerCreated();
        await using var silent = await TestSocket.OpenAsync(server.BaseAddress, a.ApiKey);
        await silentTimer;
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        await silent.ExpectAsync("ping");
        server.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal((WebSocketCloseStatus)4000, await silent.WaitClosedAsync());
    }

    [Fact]
    public async Task AFullyPausedAgentGetsNoPushesUntilResumed()
    {
        var (owner, a, b) = await server.TwoAgentsAsync();
        await server.SendOkAsync(a, b.Handle, "first");
        await server.SendOkAsync(b, a.Handle, "ok");
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/agents/{b.Id}", new { paused = "full" }, owner.AccessToken)).OkAsync();
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, b.ApiKey);
        var sent = await server.SendOkAsync(a, b.Handle, "while paused");
        // Ephemeral events are not pushed either.
        await using (var socketA = await TestSocket.OpenAsync(server.BaseAddress, a.ApiKey))
        {
            await socketA.SendAsync(new { type = "typing.start", conversation_id = sent.GetProperty("conversation_id").GetString() });
            await socketA.SendAsync(new { type = "ack", last_delivery_id = "not-a-delivery" });
            await socketA.ExpectAsync("error"); // the typing frame was handled before this one
        }
        // Stored and syncable, but not pushed.
        Assert.Equal(2, (await server.SyncAsync(b)).GetProperty("messages").GetArrayLength());
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/agents/{b.Id}", new { paused = "none" }, owner.AccessToken)).OkAsync();
        var frames = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            frames.Add((await socket.ExpectAsync("message.new", failOn: "typing.start")).GetProperty("payload").GetProperty("message").GetProperty("content")
                .GetProperty("text").GetString()!);
        }
        Assert.Equal(["first", "while paused"], frames);
    }

    [Fact]
    public async Task RevokingAKeyClosesOnlyItsSocketsAndSuspensionClosesAll()
    {
        var (owner, a, _) = await server.TwoAgentsAsync();
        var second = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{a.Id}/keys", new { kind = "secret" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        await using var viaFirst = await TestSocket.OpenAsync(server.BaseAddress, a.ApiKey);
        await using var viaSecond = await TestSocket.OpenAsync(server.BaseAddress, second.GetProperty("api_key").GetString()!);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{a.Id}/keys/{second.GetProperty("key").GetProperty("id").GetString()}",
            token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await viaSecond.WaitClosedAsync());
        Assert.False(viaFirst.Closed.IsCompleted);

        var admin = await server.AdminTokenAsync();
        await (await Http.PostAsync($"/v1/admin/agents/{a.Id}/suspend", new { reason = "test" }, admin)).OkAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await viaFirst.WaitClosedAsync());
        await using var again = await TestSocket.ConnectAsync(server.BaseAddress, a.ApiKey);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await again.WaitClosedAsync());
    }

    [Fact]
    public async Task RotatingTheKeyClosesTheSocketAndTheAgentIsToldOfClaims()
    {
        var email = Actors.NewEmail("agent");
        var agent = await server.RegisterAgentAsync(email);
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, agent.ApiKey);
        var owner = await server.SignupAsync();
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/claims", new { api_key = agent.ApiKey }, owner.AccessToken)).OkAsync();
        var claimed = await socket.ExpectAsync("agent.claimed");
        Assert.Equal(owner.WorkspaceId, claimed.GetProperty("payload").GetProperty("workspace_id").GetString());

        var pending = await (await Http.PostAsync("/v1/agents/me/rotate-key", new { }, agent.ApiKey)).OkAsync();
        await (await Http.PostAsync("/v1/agents/me/rotate-key/verify", new { pending_id = pending.GetProperty("pending_id").GetString(), code = server.LastCode(email) }, agent.ApiKey)).OkAsync();
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await socket.WaitClosedAsync());
    }

    [Fact]
    public async Task ASendOverTheRateWarnsTheSendersSockets()
    {
        var (a, b) = await server.PairAsync();
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, a.ApiKey);
        await server.Clock.AlignToSecondAsync();
        HttpResponseMessage response;
        do
        {
            response = await server.SendTextAsync(a, b.Handle);
        }
        while (response.StatusCode != HttpStatusCode.TooManyRequests);
        var warning = await socket.ExpectAsync("rate_limit.warning");
        Assert.Equal(60, warning.GetProperty("payload").GetProperty("limit").GetInt64());
        Assert.Equal(1, warning.GetProperty("payload").GetProperty("window_seconds").GetInt64());
        server.Clock.Advance(TimeSpan.FromSeconds(1));
    }
}

/// <summary>A server of its own, so stopping it affects no other test.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task OnShutdownSocketsCloseWith1001()
    {
        var server = new TestServer();
        await server.InitializeAsync();
        try
        {
            var (_, a, _) = await server.TwoAgentsAsync();
            await using var socket = await TestSocket.OpenAsync(server.BaseAddress, a.ApiKey);
            var stopping = server.DisposeAsync();
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await socket.WaitClosedAsync());
            await stopping;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
