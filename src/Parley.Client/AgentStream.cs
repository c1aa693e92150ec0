using System.Text.Json;
using Parley.Contracts.Channel;
using Parley.Contracts.Json;
using Parley.Contracts.Messaging;

namespace Parley.Client;

/// <summary>Settings of an <see cref="AgentStream"/>.</summary>
public sealed class AgentStreamOptions
{
    /// <summary>First wait before reconnecting (doubles up to <see cref="MaxReconnectDelay"/>).</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between reconnection attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>An event from the server: <c>message.new</c> (with <see cref="Delivery"/>), <c>message.read</c>, <c>typing.start</c>, notices…</summary>
public sealed record AgentEvent(string Type, JsonElement Payload, DeliveryView? Delivery);

/// <summary>
/// The agent's live channel. It answers the server's pings, reconnects when the connection drops (not when the server
/// refuses the credential: close 1008 ends the stream), and resumes: after a reconnect the server first replays every
/// unacknowledged delivery, and the stream skips those it already handed out. Delivery is at-least-once across
/// process restarts; acknowledge what you have processed with <see cref="AckAsync"/>.
/// </summary>
public sealed class AgentStream : ReconnectingSocket<AgentEvent>
{
    private string? _lastDeliveryId;

    private AgentStream(Uri baseAddress, string credential, AgentStreamOptions options)
        : base(baseAddress, "/v1/ws", credential, options.ReconnectDelay, options.MaxReconnectDelay)
    {
    }

    internal static async Task<AgentStream> ConnectAsync(Uri baseAddress, string credential, AgentStreamOptions options, CancellationToken cancellationToken)
    {
        var stream = new AgentStream(baseAddress, credential, options);
        await stream.StartAsync(cancellationToken);
        return stream;
    }

    /// <summary>The next <c>message.new</c> delivery (other events are skipped).</summary>
    public async Task<DeliveryView> NextDeliveryAsync(CancellationToken cancellationToken = default)
    {
        await foreach (var item in ReadAllAsync(cancellationToken))
        {
            if (item.Delivery is { } delivery)
            {
                return delivery;
            }
        }
        throw new InvalidOperationException($"The stream ended ({EndedWith}).");
    }

    /// <summary>Acknowledges every delivery up to and including this one, over the socket.</summary>
    public Task AckAsync(string deliveryId, CancellationToken cancellationToken = default) =>
        SendAsync(new { type = FrameTypes.Ack, last_delivery_id = deliveryId }, cancellationToken);

    /// <summary>Tells the conversation's other participants this agent is typing.</summary>
    public Task TypingAsync(string conversationId, CancellationToken cancellationToken = default) =>
        SendAsync(new { type = FrameTypes.TypingStart, conversation_id = conversationId }, cancellationToken);

    /// <inheritdoc />
    protected override async Task HandleAsync(JsonElement frame)
    {
        var parsed = frame.Deserialize<Frame>(ParleyJson.Options)!;
        var payload = parsed.Payload is JsonElement element ? element : default;
        switch (parsed.Type)
        {
            case FrameTypes.Ping:
                await SendAsync(new { type = FrameTypes.Pong }, Stopping);
                return;
            case FrameTypes.HelloOk or FrameTypes.AckOk:
                return;
            case FrameTypes.MessageNew:
                var delivery = payload.Deserialize<DeliveryView>(ParleyJson.Options)!;
                // Delivery ids of one agent grow in commit order, so anything not above the last handed out is a replay.
                if (_lastDeliveryId is not null && string.CompareOrdinal(delivery.DeliveryId, _lastDeliveryId) <= 0)
                {
                    return;
                }
                _lastDeliveryId = delivery.DeliveryId;
                await EmitAsync(new AgentEvent(parsed.Type, payload, delivery));
                return;
            default:
                await EmitAsync(new AgentEvent(parsed.Type, payload, null));
                return;
        }
    }
}
