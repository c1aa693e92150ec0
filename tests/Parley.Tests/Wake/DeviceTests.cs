using System.Net;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

/// <summary>A server for device tests: pairing and approval limits raised (every test pairs from one loopback address).</summary>
public class WakeServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:Rates:device-pairing:Limit"] = "100000";
        settings["Limits:Rates:device-approve:Limit"] = "100000";
        settings["Plans:onedevice:MaxDevices"] = "1";
        settings["Plans:onerun:MonthlyRuns"] = "1";
    }
}

/// <summary>A device paired the way a listener does it, through HTTP.</summary>
public sealed record PairedDevice(string Id, string Token);

/// <summary>Pairing (RFC 8628's shape), approval, the device token, bindings and revocation.</summary>
public sealed class DeviceTests(WakeServer server) : IClassFixture<WakeServer>
{
    private HttpClient Http => server.Http;

    private async Task<JsonElement> StartAsync(string name = "laptop") =>
        await (await Http.PostAsync("/v1/devices/pairings", new { name, platform = "linux", hosts = new[] { "custom", "codex" } })).OkAsync(HttpStatusCode.Created);

    private Task<HttpResponseMessage> PollAsync(JsonElement started) =>
        Http.PostAsync("/v1/devices/pairings/token", new { device_code = started.GetProperty("device_code").GetString() });

    private Task<HttpResponseMessage> ApproveAsync(Owner owner, string userCode, string? workspaceId = null) =>
        Http.PostAsync($"/v1/workspaces/{workspaceId ?? owner.WorkspaceId}/devices/approve", new { user_code = userCode }, owner.AccessToken);

    private async Task<PairedDevice> PairAsync(Owner owner)
    {
        var started = await StartAsync();
        await (await ApproveAsync(owner, started.GetProperty("user_code").GetString()!)).OkAsync();
        var issued = await (await PollAsync(started)).OkAsync();
        return new PairedDevice(issued.GetProperty("device").GetProperty("id").GetString()!, issued.GetProperty("device_token").GetString()!);
    }

    [Fact]
    public async Task ADevicePollsUntilItsOwnerApprovesThenGetsItsTokenOnce()
    {
        var owner = await server.SignupAsync();
        var started = await StartAsync();
        var userCode = started.GetProperty("user_code").GetString()!;
        Assert.Matches("^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$", userCode);
        Assert.StartsWith("pair_", started.GetProperty("pairing_id").GetString());
        Assert.EndsWith($"/devices/approve?code={userCode}", started.GetProperty("verification_url").GetString());
        Assert.Equal(600, started.GetProperty("expires_in").GetInt32());
        Assert.Equal(5, started.GetProperty("interval").GetInt32());

        var pending = await (await PollAsync(started)).OkAsync(HttpStatusCode.Accepted);
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        await (await PollAsync(started)).ErrorAsync(ErrorCodes.RateLimited);
        server.Clock.Advance(TimeSpan.FromSeconds(5));
        await (await PollAsync(started)).OkAsync(HttpStatusCode.Accepted);

        // People type codes in any case, with or without the dash.
        var approved = await (await ApproveAsync(owner, userCode.Replace("-", "").ToLowerInvariant())).OkAsync();
        var device = approved.GetProperty("device");
        Assert.StartsWith("dev_", device.GetProperty("id").GetString());
        Assert.Equal("active", device.GetProperty("status").GetString());
        Assert.Equal(owner.AccountId, device.GetProperty("created_by").GetProperty("id").GetString());
        Assert.Equal(["custom", "codex"], device.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        await (await ApproveAsync(owner, userCode)).ErrorAsync(ErrorCodes.NotFound);

        server.Clock.Advance(TimeSpan.FromSeconds(5));
        var issued = await (await PollAsync(started)).OkAsync();
        var token = issued.GetProperty("device_token").GetString()!;
        Assert.StartsWith("prl_dev_", token);
        Assert.Equal(device.GetProperty("id").GetString(), issued.GetProperty("device").GetProperty("id").GetString());
        server.Clock.Advance(TimeSpan.FromSeconds(5));
        await (await PollAsync(started)).ErrorAsync(ErrorCodes.NotFound);

        var me = await (await Http.GetAsync("/v1/devices/me", token)).OkAsync();
        Assert.Equal(owner.WorkspaceId, me.GetProperty("workspace_id").GetString());
        Assert.False(me.GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task ADeniedPairingIsRefusedAndAnExpiredOneMustStartAgain()
    {
        var owner = await server.SignupAsync();
        var denied = await StartAsync();
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/devices/deny", new { user_code = denied.GetProperty("user_code").GetString() },
            owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        var refused = await (await PollAsync(denied)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("pairing_denied", refused.GetProperty("details").GetProperty("reason").GetString());

        var late = await StartAsync();
        server.Clock.Advance(TimeSpan.FromSeconds(600));
        await (await PollAsync(late)).ErrorAsync(ErrorCodes.CodeExpired);
        await (await ApproveAsync(owner, late.GetProperty("user_code").GetString()!)).ErrorAsync(ErrorCodes.NotFound);
        await (await ApproveAsync(owner, "not-a-code")).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync("/v1/devices/pairings/token", new { device_code = "nonsense" })).ErrorAsync(ErrorCodes.NotFound);

        // Approving needs an admin of the workspace; another owner's workspace does not exist for them.
        var stranger = await server.SignupAsync();
        var fresh = await StartAsync();
        await (await ApproveAsync(stranger, fresh.GetProperty("user_code").GetString()!, owner.WorkspaceId)).ErrorAsync(ErrorCodes.WorkspaceNotFound);

        // A day after it expired, a pairing is forgotten: its code is then unknown rather than expired.
        server.Clock.Advance(TimeSpan.FromDays(1));
        await (await Http.PostAsync("/_test/jobs/device-pairing-cleanup", null)).OkAsync();
        await (await PollAsync(late)).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task BindingsNameTheWorkspacesAgentsAndTheDeviceTokenOpensOnlyDeviceRoutes()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var device = await PairAsync(owner);
        var bound = await (await Http.SendAsync(HttpMethod.Put, "/v1/devices/me/bindings",
            new[] { new { agent = agent.Handle, host = "custom", constrained_capable = true } }, device.Token)).OkAsync();
        var binding = Assert.Single(bound.GetProperty("bindings").EnumerateArray());
        Assert.Equal(agent.Id, binding.GetProperty("agent").GetProperty("id").GetString());
        Assert.True(binding.GetProperty("constrained_capable").GetBoolean());

        var other = await server.CreateAgentAsync(await server.SignupAsync());
        await (await Http.SendAsync(HttpMethod.Put, "/v1/devices/me/bindings", new[] { new { agent = other.Plate, host = "custom" } }, device.Token))
            .ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.SendAsync(HttpMethod.Put, "/v1/devices/me/bindings", new[] { new { agent = agent.Id, host = "emacs" } }, device.Token))
            .ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Put, "/v1/devices/me/bindings",
            new[] { new { agent = agent.Id, host = "custom" }, new { agent = agent.Plate, host = "codex" } }, device.Token)).ErrorAsync(ErrorCodes.ValidationError);

        var listed = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/devices", owner.AccessToken)).OkAsync();
        Assert.Equal(agent.Id, Assert.Single(Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("bindings").EnumerateArray())
            .GetProperty("agent").GetProperty("id").GetString());

        var wrongWay = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/devices", device.Token)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("owner_credential_required", wrongWay.GetProperty("details").GetProperty("reason").GetString());
        var notAnAgent = await (await Http.GetAsync("/v1/agents/me", device.Token)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("agent_credential_required", notAnAgent.GetProperty("details").GetProperty("reason").GetString());
        var ownerOnDevice = await (await Http.GetAsync("/v1/devices/me", owner.AccessToken)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("device_credential_required", ownerOnDevice.GetProperty("details").GetProperty("reason").GetString());
        await (await Http.GetAsync("/v1/devices/me", agent.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        await (await Http.GetAsync("/v1/devices/me", device.Token[..^1] + (device.Token[^1] == 'a' ? 'b' : 'a'))).ErrorAsync(ErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task ARevokedDevicesTokenAnswersRevokedAtOnce()
    {
        var owner = await server.SignupAsync();
        var device = await PairAsync(owner);
        await (await Http.GetAsync("/v1/devices/me", device.Token)).OkAsync();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/devices/{device.Id}", token: owner.AccessToken))
            .OkAsync(HttpStatusCode.NoContent);
        var revoked = await (await Http.GetAsync("/v1/devices/me", device.Token)).ErrorAsync(ErrorCodes.Revoked);
        Assert.Equal("device", revoked.GetProperty("details").GetProperty("subject").GetString());
        var listed = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/devices", owner.AccessToken)).OkAsync();
        Assert.Equal("revoked", Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("status").GetString());
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/devices/dev_nope", token: owner.AccessToken))
            .ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task APlansMaxDevicesCapsApprovals()
    {
        var owner = await server.SignupAsync();
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{owner.WorkspaceId}/plan", new { plan = "onedevice" }, await server.AdminTokenAsync())).OkAsync();
        await PairAsync(owner);
        var second = await StartAsync();
        var refused = await (await ApproveAsync(owner, second.GetProperty("user_code").GetString()!)).ErrorAsync(ErrorCodes.FeatureLimitReached);
        Assert.Equal("devices", refused.GetProperty("details").GetProperty("feature").GetString());
        var plan = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/plan", owner.AccessToken)).OkAsync();
        Assert.Equal(1, plan.GetProperty("usage").GetProperty("devices").GetInt64());
    }
}
