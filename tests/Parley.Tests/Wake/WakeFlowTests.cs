using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

/// <summary>
/// A run from start to end over the listener channel: dispatched to the device that binds the agent, a signed wake
/// (verified here against the published JWKS), accepted with a passport, heartbeats, finished; resent on reconnect
/// until acknowledged; cancelled; timed out when heartbeats stop.
/// </summary>
public sealed class WakeFlowTests(WakeServer server) : IClassFixture<WakeServer>
{
    private HttpClient Http => server.Http;

    private sealed record Setup(Owner Owner, TestAgent Agent, string DeviceId, string DeviceToken);

    private async Task<Setup> BoundDeviceAsync()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var started = await (await Http.PostAsync("/v1/devices/pairings", new { name = "laptop", platform = "linux", hosts = new[] { "custom" } }))
            .OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/devices/approve", new { user_code = started.GetProperty("user_code").GetString() },
            owner.AccessToken)).OkAsync();
        var issued = await (await Http.PostAsync("/v1/devices/pairings/token", new { device_code = started.GetProperty("device_code").GetString() })).OkAsync();
        var token = issued.GetProperty("device_token").GetString()!;
        await (await Http.SendAsync(HttpMethod.Put, "/v1/devices/me/bindings", new[] { new { agent = agent.Handle, host = "custom" } }, token)).OkAsync();
        return new Setup(owner, agent, issued.GetProperty("device").GetProperty("id").GetString()!, token);
    }

    private async Task<TestSocket> ListenAsync(Setup setup)
    {
        var socket = await TestSocket.ConnectAsync(server.BaseAddress, setup.DeviceToken, path: "/v1/devices/ws");
        await socket.SendAsync(new { type = "hello", listener_version = "test", hosts = new[] { "custom" } });
        await socket.ExpectAsync("hello.ok");
        return socket;
    }

    private async Task<string> StartAsync(Setup setup) =>
        (await (await Http.PostAsync($"/v1/agents/{setup.Agent.Handle}/runs", new { input = new { job = "summarise" } }, setup.Owner.AccessToken))
            .OkAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

    private async Task<JsonElement> RunAsync(Setup setup, string runId) =>
        await (await Http.GetAsync($"/v1/runs/{runId}", setup.Owner.AccessToken)).OkAsync();

    /// <summary>Checks the envelope as a listener must: signature against the JWKS, type, audience, lifetime.</summary>
    private async Task<JsonWebToken> VerifyAsync(string envelope, string deviceId)
    {
        var jwks = new JsonWebKeySet(await (await Http.GetAsync("/.well-known/jwks.json")).Content.ReadAsStringAsync());
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(envelope, new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(), ValidAudience = deviceId, ValidateIssuer = false, ValidateLifetime = false,
            ValidTypes = ["parley-wake+jwt"], ValidAlgorithms = ["ES256"],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }

    [Fact]
    public async Task ARunReachesTheBoundDevicesListenerSignedAndTheDeviceRunsItToTheEnd()
    {
        var setup = await BoundDeviceAsync();
        await using var listener = await ListenAsync(setup);
        var runId = await StartAsync(setup);
        var wake = await listener.ExpectAsync("wake");
        var jwt = await VerifyAsync(wake.GetProperty("envelope").GetString()!, setup.DeviceId);
        Assert.StartsWith("wake_", jwt.Id);
        Assert.Equal(runId, jwt.GetPayloadValue<string>("run_id"));
        Assert.Equal(setup.Agent.Id, jwt.GetPayloadValue<string>("agent_id"));
        Assert.Equal(setup.Agent.Handle, jwt.GetPayloadValue<string>("agent_handle"));
        Assert.Equal("manual", jwt.GetPayloadValue<string>("reason"));
        Assert.False(jwt.GetPayloadValue<bool>("constrained"));
        Assert.Contains("summarise", jwt.GetPayloadValue<string>("prompt"));
        Assert.Equal(300, (jwt.ValidTo - jwt.IssuedAt).TotalSeconds);
        var dispatched = await RunAsync(setup, runId);
        Assert.Equal(("dispatched", setup.DeviceId), (dispatched.GetProperty("status").GetString(), dispatched.GetProperty("device_id").GetString()));

        await listener.SendAsync(new { type = "wake.ack", wake_id = jwt.Id });
        var accepted = await (await Http.PostAsync($"/v1/runs/{runId}/accept", null, setup.DeviceToken)).OkAsync();
        Assert.Equal("running", accepted.GetProperty("run").GetProperty("status").GetString());
        Assert.Equal(server.BaseAddress.ToString().TrimEnd('/'), accepted.GetProperty("api_url").GetString());
        var passport = accepted.GetProperty("passport").GetString()!;
        Assert.Equal(setup.Agent.Id, (await (await Http.GetAsync("/v1/agents/me", passport)).OkAsync()).GetProperty("id").GetString());
        await (await Http.PostAsync($"/v1/runs/{runId}/accept", null, setup.DeviceToken)).ErrorAsync(ErrorCodes.Conflict);

        var beat = await (await Http.PostAsync($"/v1/runs/{runId}/heartbeat", null, setup.DeviceToken)).OkAsync();
        Assert.Equal(JsonValueKind.Null, beat.GetProperty("passport").ValueKind);
        // Eleven minutes of a run that keeps beating (a beat every 110 s, inside Wake:HeartbeatTimeoutSeconds, so the
        // timeout sweep, which runs on its own, never finds it silent): the last beat is inside the passport's final
        // five minutes and renews it.
        for (var i = 0; i < 5; i++)
        {
            server.Clock.Advance(TimeSpan.FromSeconds(110));
            await (await Http.PostAsync($"/v1/runs/{runId}/heartbeat", null, setup.DeviceToken)).OkAsync();
        }
        server.Clock.Advance(TimeSpan.FromSeconds(110));
        var renewed = await (await Http.PostAsync($"/v1/runs/{runId}/heartbeat", null, setup.DeviceToken)).OkAsync();
        Assert.Equal(JsonValueKind.String, renewed.GetProperty("passport").ValueKind);

        var finished = await (await Http.PostAsync($"/v1/runs/{runId}/finish", new { status = "succeeded", exit_code = 0, summary = "done", output_tail = "ok\n" },
            setup.DeviceToken)).OkAsync();
        Assert.Equal(("succeeded", 0, "done"), (finished.GetProperty("status").GetString(), finished.GetProperty("exit_code").GetInt32(),
            finished.GetProperty("summary").GetString()));
        var revoked = await (await Http.GetAsync("/v1/agents/me", passport)).ErrorAsync(ErrorCodes.Revoked);
        Assert.Equal("run", revoked.GetProperty("details").GetProperty("subject").GetString());
        await (await Http.PostAsync($"/v1/runs/{runId}/finish", new { status = "failed" }, setup.DeviceToken)).ErrorAsync(ErrorCodes.Conflict);

        // Another device cannot touch this device's runs.
        var other = await BoundDeviceAsync();
        await (await Http.PostAsync($"/v1/runs/{runId}/heartbeat", null, other.DeviceToken)).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task AWakeWaitsForItsDeviceAndIsSentAgainOnReconnectUntilAcknowledged()
    {
        var setup = await BoundDeviceAsync();
        var runId = await StartAsync(setup);
        Assert.Equal("queued", (await RunAsync(setup, runId)).GetProperty("status").GetString());

        string wakeId;
        await using (var first = await ListenAsync(setup))
        {
            var jwt = await VerifyAsync((await first.ExpectAsync("wake")).GetProperty("envelope").GetString()!, setup.DeviceId);
            wakeId = jwt.Id;
        }
        await using (var second = await ListenAsync(setup))
        {
            var again = await VerifyAsync((await second.ExpectAsync("wake")).GetProperty("envelope").GetString()!, setup.DeviceId);
            Assert.Equal(wakeId, again.Id);
            Assert.Equal(runId, again.GetPayloadValue<string>("run_id"));
        }
        Assert.Equal("dispatched", (await RunAsync(setup, runId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task CancellingARunningRunTellsItsDeviceWhichFinishesItCancelled()
    {
        var setup = await BoundDeviceAsync();
        await using var listener = await ListenAsync(setup);
        var runId = await StartAsync(setup);
        await listener.ExpectAsync("wake");
        await (await Http.PostAsync($"/v1/runs/{runId}/accept", null, setup.DeviceToken)).OkAsync();
        var cancelling = await (await Http.PostAsync($"/v1/runs/{runId}/cancel", null, setup.Owner.AccessToken)).OkAsync();
        Assert.Equal("cancelling", cancelling.GetProperty("status").GetString());
        Assert.Equal(runId, (await listener.ExpectAsync("run.cancel")).GetProperty("run_id").GetString());
        var ended = await (await Http.PostAsync($"/v1/runs/{runId}/finish", new { status = "cancelled", exit_code = 143 }, setup.DeviceToken)).OkAsync();
        Assert.Equal(("cancelled", "cancelled_by_owner"), (ended.GetProperty("status").GetString(), ended.GetProperty("failure_reason").GetString()));
    }

    [Fact]
    public async Task ARunWhoseHeartbeatsStopTimesOutAndItsPassportStopsWorking()
    {
        var setup = await BoundDeviceAsync();
        await using var listener = await ListenAsync(setup);
        var runId = await StartAsync(setup);
        await listener.ExpectAsync("wake");
        var passport = (await (await Http.PostAsync($"/v1/runs/{runId}/accept", null, setup.DeviceToken)).OkAsync()).GetProperty("passport").GetString();
        server.Clock.Advance(TimeSpan.FromSeconds(119));
        await (await Http.PostAsync("/_test/jobs/run-clocks", null)).OkAsync();
        Assert.Equal("running", (await (await Http.GetAsync($"/v1/runs/{runId}", await LoginAsync(setup.Owner))).OkAsync()).GetProperty("status").GetString());
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        await (await Http.PostAsync("/_test/jobs/run-clocks", null)).OkAsync();
        var run = await (await Http.GetAsync($"/v1/runs/{runId}", await LoginAsync(setup.Owner))).OkAsync();
        Assert.Equal(("timed_out", "timeout"), (run.GetProperty("status").GetString(), run.GetProperty("failure_reason").GetString()));
        await (await Http.GetAsync("/v1/agents/me", passport)).ErrorAsync(ErrorCodes.Revoked);
    }

    private async Task<string> LoginAsync(Owner owner) =>
        (await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = owner.Password })).OkAsync()).GetProperty("access_token").GetString()!;
}
