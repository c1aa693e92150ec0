using System.Text;
using Microsoft.Extensions.Options;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Webhooks;

namespace Parley.Server.Messaging.Deliveries;

/// <summary>What one fan-out did for one recipient.</summary>
internal readonly record struct FanOutResult(string RecipientId, long DeliverySeq, long Backlog, bool Skipped);

/// <summary>
/// Gives a stored message one delivery per recipient, inside the send's transaction. Each recipient's next delivery
/// number comes from one multi-row <c>INSERT … ON CONFLICT … RETURNING</c> on <c>inboxes</c> (rows taken in id order,
/// so concurrent fan-outs on PostgreSQL lock them in the same order). A recipient over the backlog cap is skipped and
/// its counter given back before commit, so its numbers stay gap-free. After commit, sockets and webhooks are told.
/// </summary>
internal sealed class FanOut(Writes writes, AgentChannel channel, WebhookQueue webhooks, IOptions<MessagingOptions> options)
{
    private ParleyDb Db => writes.Db;

    private sealed record Counter(string AgentId, long LastDeliverySeq, long AckedThrough);

    public async Task<IReadOnlyList<FanOutResult>> DeliverAsync(Message message, IReadOnlyCollection<string> recipientIds, bool skipBacklogged, CancellationToken c)
    {
        if (recipientIds.Count == 0)
        {
            return [];
        }
        var ordered = recipientIds.Distinct().Order(StringComparer.Ordinal).ToList();
        var sql = new StringBuilder("INSERT INTO inboxes (agent_id, last_delivery_seq, acked_through) VALUES ");
        sql.AppendJoin(", ", ordered.Select((_, i) => $"(@p{i}, 1, 0)"));
        sql.Append(" ON CONFLICT (agent_id) DO UPDATE SET last_delivery_seq = inboxes.last_delivery_seq + 1")
            .Append(" RETURNING agent_id, last_delivery_seq, acked_through");
        var counters = await Sql.QueryAsync(Db, sql.ToString(), r => new Counter(r.Text("agent_id"), r.Int64("last_delivery_seq"), r.Int64("acked_through")), c, [.. ordered]);

        var cap = options.Value.Limits.BacklogCap;
        var results = new List<FanOutResult>(counters.Count);
        var skipped = new List<string>();
        foreach (var counter in counters.OrderBy(x => x.AgentId, StringComparer.Ordinal))
        {
            var backlog = counter.LastDeliverySeq - counter.AckedThrough;
            if (backlog > cap && skipBacklogged)
            {
                skipped.Add(counter.AgentId);
                results.Add(new FanOutResult(counter.AgentId, 0, backlog - 1, Skipped: true));
                continue;
            }
            results.Add(new FanOutResult(counter.AgentId, counter.LastDeliverySeq, backlog, Skipped: false));
            channel.SignalFeed(counter.AgentId);
        }
        var delivered = results.Where(r => !r.Skipped).ToList();
        if (delivered.Count > 0)
        {
            var insert = new StringBuilder("INSERT INTO deliveries (recipient_id, seq, message_id, created_at, webhook_acked) VALUES ");
            insert.AppendJoin(", ", delivered.Select((_, i) => $"(@p{(i * 2) + 2}, @p{(i * 2) + 3}, @p0, @p1, @p{(delivered.Count * 2) + 2})"));
            var args = new List<object?> { message.Id, message.CreatedAt };
            foreach (var d in delivered)
            {
                args.Add(d.RecipientId);
                args.Add(d.DeliverySeq);
            }
            args.Add(false);
            await Sql.ExecuteAsync(Db, insert.ToString(), c, [.. args]);
        }
        if (skipped.Count > 0)
        {
            // Still holding the rows' locks: nobody saw the numbers these recipients were about to get.
            await Sql.ExecuteAsync(Db, $"UPDATE inboxes SET last_delivery_seq = last_delivery_seq - 1 WHERE agent_id IN ({Sql.Parameters(skipped.Count)})",
                c, [.. skipped]);
        }
        await webhooks.EnqueueMessageAsync(message, [.. results.Where(r => !r.Skipped)], c);
        return results;
    }
}
