using System.Globalization;
using Parley.Server.Data;
using Parley.Server.Platform.Cluster;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Messaging.Realtime;

/// <summary>
/// Tells every node what happened, with ids only: a recipient has new deliveries (its sockets fetch them from the
/// database), or an ephemeral event for an agent's sockets (read receipt, typing, rate-limit warning).
/// </summary>
internal sealed class DeliveryNotifier(Writes writes, IClusterBus bus)
{
    /// <summary>Payload: the recipient's agent id.</summary>
    public const string DeliveryTopic = "msg.delivery";

    /// <summary>Payload: <c>&lt;agent id&gt;|&lt;event type&gt;|&lt;argument&gt;…</c>, ids and numbers only.</summary>
    public const string EventTopic = "msg.event";

    public void Delivered(string recipientId) => writes.AfterCommit(() => bus.PublishAsync(DeliveryTopic, recipientId, CancellationToken.None));

    public void Read(string senderId, string conversationId, string messageId, string readerId) =>
        Event(senderId, "message.read", conversationId, messageId, readerId);

    public void Typing(string recipientId, string conversationId, string typistId) => Event(recipientId, "typing.start", conversationId, typistId);

    public void RateLimitWarning(string agentId, ApiException limited) =>
        Event(agentId, "rate_limit.warning",
            Convert.ToString(limited.Details?["limit"], CultureInfo.InvariantCulture) ?? "0",
            Convert.ToString(limited.Details?["window_seconds"], CultureInfo.InvariantCulture) ?? "0",
            ((long)(limited.RetryAfter?.TotalMilliseconds ?? 0)).ToString(CultureInfo.InvariantCulture));

    private void Event(string agentId, string type, params string[] arguments) =>
        writes.AfterCommit(() => bus.PublishAsync(EventTopic, string.Join('|', [agentId, type, .. arguments]), CancellationToken.None));
}
