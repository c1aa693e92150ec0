using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Messaging.Deliveries;

/// <summary>
/// Durable delivery: every unacknowledged delivery stays readable through sync (and is replayed on every new
/// WebSocket) until a cumulative acknowledgement covers it. Delivery is at-least-once.
/// </summary>
internal sealed class DeliveryService(Writes writes, IOptions<MessagingOptions> options)
{
    private ParleyDb Db => writes.Db;

    /// <summary>
    /// Deliveries after <paramref name="afterSeq"/> (and after the acknowledgement point), oldest first. Plain SQL:
    /// every push and every sync reads through here.
    /// </summary>
    public async Task<(List<(long Seq, Message Message)> Items, bool HasMore)> PendingAsync(string agentId, long afterSeq, int limit, CancellationToken ct)
    {
        var rows = await Sql.QueryAsync(Db,
            $"SELECT d.seq AS d_seq, {MessageStore.Columns} FROM deliveries d JOIN messages m ON m.id = d.message_id " +
            "WHERE d.recipient_id = @p0 AND d.seq > @p1 AND d.seq > COALESCE((SELECT acked_through FROM inboxes WHERE agent_id = @p0), 0) " +
            "ORDER BY d.seq LIMIT @p2",
            r => (r.Int64("d_seq"), MessageStore.Read(r)), ct, agentId, afterSeq, limit + 1);
        return ([.. rows.Take(limit)], rows.Count > limit);
    }

    public async Task<SyncPage> SyncAsync(string agentId, string? after, int? limit, CancellationToken ct)
    {
        var l = Limits;
        if (limit is { } n && (n < 1 || n > l.SyncMaxLimit))
        {
            throw ApiErrors.Validation("limit", $"must be between 1 and {l.SyncMaxLimit}");
        }
        long afterSeq = 0;
        if (after is not null && !DeliveryIds.TryParse(after, out afterSeq))
        {
            throw ApiErrors.Validation("after", "is not a delivery id");
        }
        var (items, hasMore) = await PendingAsync(agentId, afterSeq, limit ?? l.SyncDefaultLimit, ct);
        var views = await MessageViews.ToViewsAsync(Db, [.. items.Select(i => i.Message)], ct);
        return new SyncPage([.. items.Select((item, i) => new DeliveryView(DeliveryIds.Of(item.Seq), views[i]))], hasMore);
    }

    /// <summary>
    /// Acknowledges every delivery up to and including the given one. Repeating (or acknowledging an older one) is a
    /// no-op. A delivery number the agent was never given is refused, so an ack can never run ahead of what exists.
    /// </summary>
    public Task<AckResult> AckAsync(string agentId, string? lastDeliveryId, CancellationToken ct)
    {
        if (!DeliveryIds.TryParse(lastDeliveryId, out var seq))
        {
            throw ApiErrors.Validation("last_delivery_id", "is not a delivery id");
        }
        return writes.RunAsync(async c =>
        {
            var inbox = await Db.Inboxes.FirstOrDefaultAsync(i => i.AgentId == agentId, c);
            if (inbox is null || seq > inbox.LastDeliverySeq)
            {
                throw ApiErrors.Validation("last_delivery_id", "no such delivery");
            }
            var acked = Math.Max(0, seq - inbox.AckedThrough);
            inbox.AckedThrough = Math.Max(inbox.AckedThrough, seq);
            return new AckResult(acked);
        }, ct);
    }

    private MessagingLimits Limits => options.Value.Limits;
}
