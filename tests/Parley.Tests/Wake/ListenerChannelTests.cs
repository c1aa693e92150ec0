using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

/// <summary>The listener channel (<c>GET /v1/devices/ws</c>): hello, presence, pings, and revocation closing the socket.</summary>
public sealed class ListenerChannelTests(WakeServer server) : IClassFixture<WakeServer>
{
    private HttpClient Http => server.Http;

    private async Task<(Owner Owner, string DeviceId, string Token)> PairedAsync()
    {
        var owner = await server.SignupAsync();
        var started = await (await Http.PostAsync("/v1/devices/pairings", new { name = "laptop", platform = "linux" })).OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/devices/approve", new { user_code = started.GetProperty("user_code").GetString() },
            owner.AccessToken)).OkAsync();
        var issued = await (await Http.PostAsync("/v1/devices/pairings/token", new { device_code = started.GetProperty("device_code").GetString() })).OkAsync();
        return (owner, issued.GetProperty("device").GetProperty("id").GetString()!, issued.GetProperty("device_token").GetString()!);
    }

    private Task<TestSocket> ConnectAsync(string? token) => TestSocket.ConnectAsync(server.BaseAddress, token, path: "/v1/devices/ws");

    [Fact]
    public async Task AListenerSaysHelloAndItsDeviceIsOnlineWithItsVersionAndHosts()
    {
        var (owner, deviceId, token) = await PairedAsync();
        await using var listener = await ConnectAsync(token);
        await listener.SendAsync(new { type = "hello", listener_version = "0.1.0", hosts = new[] { "custom", "emacs" } });
        var hello = await listener.ExpectAsync("hello.ok");
        Assert.Equal(deviceId, hello.GetProperty("device_id").GetString());
        Assert.Equal(server.Clock.GetUtcNow().ToUnixTimeMilliseconds(), hello.GetProperty("server_time").GetDateTimeOffset().ToUnixTimeMilliseconds());

        var device = Assert.Single((await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/devices", owner.AccessToken)).OkAsync())
            .GetProperty("data").EnumerateArray());
        Assert.True(device.GetProperty("online").GetBoolean());
        Assert.Equal("0.1.0", device.GetProperty("listener_version").GetString());
        Assert.Equal(["custom"], device.GetProperty("hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(JsonValueKind.String, device.GetProperty("last_seen_at").ValueKind);

        await listener.SendAsync(new { type = "dance" });
        Assert.Equal("VALIDATION_ERROR", (await listener.ExpectAsync("error")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task RevokingTheDeviceClosesItsListenerAndOtherCredentialsAreRefused()
    {
        var (owner, deviceId, token) = await PairedAsync();
        await using var listener = await ConnectAsync(token);
        await listener.SendAsync(new { type = "hello", listener_version = "0.1.0", hosts = Array.Empty<string>() });
        await listener.ExpectAsync("hello.ok");
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/devices/{deviceId}", token: owner.AccessToken))
            .OkAsync(HttpStatusCode.NoContent);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await listener.WaitClosedAsync());

        await using var revoked = await ConnectAsync(token);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await revoked.WaitClosedAsync());
        await using var ownerSocket = await ConnectAsync(owner.AccessToken);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await ownerSocket.WaitClosedAsync());
        await using var anonymous = await ConnectAsync(null);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await anonymous.WaitClosedAsync());
    }

    [Fact]
    public async Task WithoutAHelloTheSocketClosesAndASilentListenerIsDroppedAfterAPing()
    {
        var (_, _, token) = await PairedAsync();
        var helloTimer = server.Clock.NextTimerCreated();
        await using var mute = await ConnectAsync(token);
        await helloTimer;
        server.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await mute.WaitClosedAsync());

        var firstTimer = server.Clock.NextTimerCreated();
        await using var silent = await ConnectAsync(token);
        await firstTimer;
        var pingTimer = server.Clock.NextTimerCreated();
        await silent.SendAsync(new { type = "hello", listener_version = "0.1.0", hosts = Array.Empty<string>() });
        await silent.ExpectAsync("hello.ok");
        await pingTimer;
        server.Clock.Advance(TimeSpan.FromSeconds(30));
        await silent.ExpectAsync("ping");
        server.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal((WebSocketCloseStatus)4000, await silent.WaitClosedAsync());
    }
}
