using System.Net.WebSockets;
using System.Text.Json;
using Parley.Client;
using Parley.Client.Wake;
using Parley.Contracts.Errors;
using Parley.Contracts.Wake;
using Parley.Tests.Infrastructure;
using Parley.Tests.Wake;

namespace Parley.Tests.Sdk;

/// <summary>
/// The SDK's wake surface against a real server: an owner approves a device the SDK paired, starts and lists runs; the
/// device's listener connection gets the wake, checks it with the verifier against the server's JWKS, accepts, beats
/// and finishes; a revoked device's connection ends for good.
/// </summary>
public sealed class WakeSdkTests(WakeServer server) : IClassFixture<WakeServer>
{
    [Fact]
    public async Task ADevicePairedThroughTheSdkIsWokenAndRunsARunToTheEnd()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        using var ownerClient = new ParleyClient(server.BaseAddress, owner.AccessToken);
        using var device = new ParleyClient(server.BaseAddress);

        var pairing = await device.StartPairingAsync("laptop", "linux", [Hosts.Custom]);
        Assert.Null(await device.PollPairingAsync(pairing.DeviceCode));
        var approved = await ownerClient.ApproveDeviceAsync(owner.WorkspaceId, pairing.UserCode);
        server.Clock.Advance(TimeSpan.FromSeconds(pairing.Interval));
        var issued = await device.WaitForPairingAsync(pairing);
        Assert.Equal(approved.Device.Id, issued.Device.Id);
        device.Credential = issued.DeviceToken;
        var bound = await device.SetBindingsAsync([new BindingRequest(agent.Handle, Hosts.Custom, false)]);
        Assert.Equal(agent.Id, Assert.Single(bound.Bindings).Agent.Id);
        Assert.Equal(bound.Id, (await device.GetDeviceAsync()).Id);

        await using var listener = await device.ConnectListenerAsync(new ListenerOptions { ListenerVersion = "sdk-test", Hosts = [Hosts.Custom] });
        using var verifier = WakeEnvelopeVerifier.For(device, issued.Device.Id, server.Clock);
        var events = listener.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        verifier.ServerOffset = Assert.IsType<ListenerConnected>(events.Current).Offset;
        Assert.True((await ownerClient.ListDevicesAsync(owner.WorkspaceId)).Data.Single().Online);

        var started = await ownerClient.StartRunAsync(agent.Handle, JsonSerializer.SerializeToElement(new { job = "tidy" }));
        var busy = await Assert.ThrowsAsync<ParleyApiException>(() => ownerClient.StartRunAsync(agent.Handle));
        Assert.Equal(ErrorCodes.AgentAlreadyRunning, busy.Code);
        Assert.True(await events.MoveNextAsync());
        var wake = await verifier.VerifyAsync(Assert.IsType<ListenerWakeReceived>(events.Current).Envelope);
        Assert.Equal((started.Id, "manual"), (wake.RunId, wake.Reason));
        Assert.Contains("tidy", wake.Prompt);
        await listener.AckAsync(wake.WakeId);
        var accepted = await device.AcceptRunAsync(wake.RunId);
        Assert.Equal(RunStatus.Running, accepted.Run.Status);
        Assert.StartsWith("eyJ", accepted.Passport);
        await device.HeartbeatRunAsync(wake.RunId);
        var finished = await device.FinishRunAsync(wake.RunId, new FinishRunRequest(RunStatus.Succeeded, 0, OutputTail: "all tidy"));
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal("all tidy", (await ownerClient.GetRunAsync(started.Id)).OutputTail);
        Assert.Equal(started.Id, Assert.Single((await ownerClient.ListRunsAsync(owner.WorkspaceId, agent: agent.Handle, status: RunStatus.Succeeded)).Data).Id);
        var done = await Assert.ThrowsAsync<ParleyApiException>(() => ownerClient.CancelRunAsync(started.Id));
        Assert.Equal(ErrorCodes.RunNotCancellable, done.Code);

        // A cancel reaches the listener as an event.
        var second = await ownerClient.StartRunAsync(agent.Handle);
        Assert.True(await events.MoveNextAsync());
        var secondWake = await verifier.VerifyAsync(Assert.IsType<ListenerWakeReceived>(events.Current).Envelope);
        await device.AcceptRunAsync(secondWake.RunId);
        Assert.Equal(RunStatus.Cancelling, (await ownerClient.CancelRunAsync(second.Id)).Status);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(second.Id, Assert.IsType<ListenerCancelReceived>(events.Current).RunId);
        await device.FinishRunAsync(second.Id, new FinishRunRequest(RunStatus.Cancelled));

        // Revoked: the connection ends (1008) instead of reconnecting.
        await ownerClient.RevokeDeviceAsync(owner.WorkspaceId, issued.Device.Id);
        while (await events.MoveNextAsync())
        {
        }
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, listener.EndedWith);
        Assert.Equal(ErrorCodes.Revoked, (await Assert.ThrowsAsync<ParleyApiException>(() => device.GetDeviceAsync())).Code);
    }

    [Fact]
    public async Task ADeniedPairingEndsTheWaitWithForbidden()
    {
        var owner = await server.SignupAsync();
        using var ownerClient = new ParleyClient(server.BaseAddress, owner.AccessToken);
        using var device = new ParleyClient(server.BaseAddress);
        var pairing = await device.StartPairingAsync("laptop", "linux", []);
        await ownerClient.DenyDeviceAsync(owner.WorkspaceId, pairing.UserCode);
        var denied = await Assert.ThrowsAsync<ParleyApiException>(() => device.WaitForPairingAsync(pairing));
        Assert.Equal(ErrorCodes.Forbidden, denied.Code);
    }
}
