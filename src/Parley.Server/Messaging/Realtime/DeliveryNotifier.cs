using System.Globalization;
using Parley.Server.Data;
using Parley.Server.Platform.Cluster;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Messaging.Realtime;

/// <summary>
/// Tells every node what happened in messaging, with ids only: a recipient has new deliveries (its sockets fetch them
/// from the database), or an ephemeral event for an agent's sockets (read receipt, typing, rate-limit warning).
/// </summary>
internal sealed class DeliveryNotifier(Writes writes, IClusterBus bus, AgentEvents events)
{
    /// <summary>Payload: the recipient's agent id.</summary>
    public const string DeliveryTopic = "msg.delivery";

    public void Delivered(string recipientId) => writes.AfterCommit(() => bus.PublishAsync(DeliveryTopic, recipientId, CancellationToken.None));

    public void Read(string senderId, string conversationId, string messageId, string readerId) =>
        events.Publish(senderId, "message.read", conversationId, messageId, readerId);

    public void Typing(string recipientId, string conversationId, string typistId) => events.Publish(recipientId, "typing.start", conversationId, typistId);

    public void RateLimitWarning(string agentId, ApiException limited) =>
        events.Publish(agentId, "rate_limit.warning",
            Convert.ToString(limited.Details?["limit"], CultureInfo.InvariantCulture) ?? "0",
            Convert.ToString(limited.Details?["window_seconds"], CultureInfo.InvariantCulture) ?? "0",
            ((long)(limited.RetryAfter?.TotalMilliseconds ?? 0)).ToString(CultureInfo.InvariantCulture));
}
