using System.Net.WebSockets;
using Parley.Client;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sdk;

/// <summary>The SDK against a real server: send, sync, ack, and a live stream that reconnects and resumes.</summary>
public sealed class MessagingSdkTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task SendsSyncsAndAcks()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        using var alice = new ParleyClient(server.BaseAddress, a.ApiKey);
        using var bob = new ParleyClient(server.BaseAddress, b.ApiKey);
        var sent = await alice.SendTextAsync(b.Handle, "from the sdk", "sdk-1");
        Assert.Equal(sent.Id, (await alice.SendTextAsync(b.Handle, "retry", "sdk-1")).Id);

        var page = await bob.SyncAsync();
        var delivery = Assert.Single(page.Messages);
        Assert.Equal("from the sdk", delivery.Message.Content.GetProperty("text").GetString());
        Assert.Equal(1, (await bob.AckAsync(delivery.DeliveryId)).Acked);
        Assert.Empty((await bob.SyncAsync()).Messages);

        var error = await Assert.ThrowsAsync<ParleyApiException>(() => alice.SendTextAsync(b.Handle, "again before a reply"));
        Assert.Equal(ErrorCodes.AwaitingReply, error.Code);
        Assert.Equal(b.Handle, error.Details?.GetProperty("recipient_handle").GetString());
        Assert.Single((await bob.GetHistoryAsync(sent.ConversationId)).Data);
    }

    [Fact]
    public async Task TheStreamReceivesLiveReconnectsAfterADropAndResumesWithoutDuplicates()
    {
        var (a, b) = await server.PairAsync();
        await using var relay = new TcpRelay(server.BaseAddress);
        using var alice = new ParleyClient(server.BaseAddress, a.ApiKey);
        using var bob = new ParleyClient(relay.Address, b.ApiKey);
        await using var stream = await bob.ConnectAsync(new AgentStreamOptions { ReconnectDelay = TimeSpan.FromMilliseconds(50) });

        // The stream starts with what is unacknowledged ("hi" from the pairing), then goes live.
        Assert.Equal("hi", (await stream.NextDeliveryAsync()).Message.Content.GetProperty("text").GetString());
        await alice.SendTextAsync(b.Handle, "live one");
        var live = await stream.NextDeliveryAsync();
        Assert.Equal("live one", live.Message.Content.GetProperty("text").GetString());

        relay.DropAll();
        await alice.SendTextAsync(b.Handle, "sent during the drop");
        var resumed = await stream.NextDeliveryAsync();
        // Nothing handed out before the drop is handed out again, though the server replays everything unacknowledged.
        Assert.Equal("sent during the drop", resumed.Message.Content.GetProperty("text").GetString());
        Assert.True(stream.Reconnects >= 1);

        await stream.AckAsync(resumed.DeliveryId);
        await alice.SendTextAsync(b.Handle, "after the ack");
        Assert.Equal("after the ack", (await stream.NextDeliveryAsync()).Message.Content.GetProperty("text").GetString());
    }

    [Fact]
    public async Task ARevokedKeyEndsTheStreamInsteadOfReconnecting()
    {
        var (owner, a, _) = await server.TwoAgentsAsync();
        using var client = new ParleyClient(server.BaseAddress, a.ApiKey);
        await using var stream = await client.ConnectAsync();
        var keyId = a.ApiKey.Split('_')[2];
        await (await server.Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{a.Id}/keys/{keyId}", token: owner.AccessToken))
            .OkAsync(System.Net.HttpStatusCode.NoContent);
        await foreach (var _ in stream.ReadAllAsync())
        {
        }
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, stream.EndedWith);
        Assert.Equal(0, stream.Reconnects);
    }
}
