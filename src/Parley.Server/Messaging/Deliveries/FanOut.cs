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
/// so concurrent fan-outs on PostgreSQL lock them in the same order); the deliveries are inserted from those rows in the
/// same round trip. A recipient over the backlog cap gets no delivery and its counter is given back before commit, so
/// its numbers stay gap-free. After commit, sockets and webhooks are told.
/// </summary>
internal sealed class FanOut(Writes writes, AgentChannel channel, WebhookQueue webhooks, IOptions<MessagingOptions> options)
{
    private ParleyDb Db => writes.Db;

    public async Task<IReadOnlyList<FanOutResult>> DeliverAsync(Message message, IReadOnlyCollection<string> recipientIds, bool skipBacklogged, CancellationToken c)
    {
        var pending = Prepare(message, recipientIds, skipBacklogged);
        await Sql.BatchAsync(Db, c, [.. pending.Statements]);
        return await CompleteAsync(pending, c);
    }

    /// <summary>
    /// <see cref="DeliverAsync"/> as statements for the caller's batch (after the message's own); <see cref="CompleteAsync"/>
    /// once it ran. The statements take each recipient's next number, insert the deliveries of those under the cap (the
    /// rule <see cref="CompleteAsync"/> applies to the numbers) and read the recipients' webhooks.
    /// </summary>
    public PendingFanOut Prepare(Message message, IReadOnlyCollection<string> recipientIds, bool skipBacklogged)
    {
        var ordered = recipientIds.Distinct().Order(StringComparer.Ordinal).ToList();
        if (ordered.Count == 0)
        {
            return new PendingFanOut(message, skipBacklogged, [], null, null);
        }
        var sql = new StringBuilder("INSERT INTO inboxes (agent_id, last_delivery_seq, acked_through) VALUES ");
        sql.AppendJoin(", ", ordered.Select((_, i) => $"(@p{i}, 1, 0)"));
        sql.Append(" ON CONFLICT (agent_id) DO UPDATE SET last_delivery_seq = inboxes.last_delivery_seq + 1")
            .Append(" RETURNING agent_id, last_delivery_seq, acked_through");
        var counters = new SqlQuery<Counter>(sql.ToString(), r => new Counter(r.Text("agent_id"), r.Int64("last_delivery_seq"), r.Int64("acked_through")), [.. ordered]);
        var n = ordered.Count;
        var insert = new SqlStatement(
            "INSERT INTO deliveries (recipient_id, seq, message_id, created_at, webhook_acked) " +
            $"SELECT i.agent_id, i.last_delivery_seq, @p{n}, @p{n + 1}, @p{n + 2} FROM inboxes i WHERE i.agent_id IN ({Sql.Parameters(n)})" +
            (skipBacklogged ? $" AND i.last_delivery_seq - i.acked_through <= @p{n + 3}" : ""),
            skipBacklogged ? [.. ordered, message.Id, message.CreatedAt, false, options.Value.Limits.BacklogCap] : [.. ordered, message.Id, message.CreatedAt, false]);
        var hooks = WebhookQueue.Of(ordered);
        return new PendingFanOut(message, skipBacklogged, [counters, insert, hooks], counters, hooks);
    }

    /// <summary>Who got a delivery and who was over the cap (their counters given back), then sockets and webhooks.</summary>
    public async Task<IReadOnlyList<FanOutResult>> CompleteAsync(PendingFanOut pending, CancellationToken c)
    {
        if (pending is not { Counters: { } counters, Hooks: { } hooks })
        {
            return [];
        }
        var cap = options.Value.Limits.BacklogCap;
        var results = new List<FanOutResult>(counters.Rows.Count);
        var skipped = new List<string>();
        foreach (var counter in counters.Rows.OrderBy(x => x.AgentId, StringComparer.Ordinal))
        {
            var backlog = counter.LastDeliverySeq - counter.AckedThrough;
            if (backlog > cap && pending.SkipBacklogged)
            {
                skipped.Add(counter.AgentId);
                results.Add(new FanOutResult(counter.AgentId, 0, backlog - 1, Skipped: true));
                continue;
            }
            results.Add(new FanOutResult(counter.AgentId, counter.LastDeliverySeq, backlog, Skipped: false));
            channel.SignalFeed(counter.AgentId);
        }
        if (skipped.Count > 0)
        {
            // Still holding the rows' locks: nobody saw the numbers these recipients were about to get.
            await Sql.ExecuteAsync(Db, $"UPDATE inboxes SET last_delivery_seq = last_delivery_seq - 1 WHERE agent_id IN ({Sql.Parameters(skipped.Count)})",
                c, [.. skipped]);
        }
        await webhooks.EnqueueMessageAsync(pending.Message, [.. results.Where(r => !r.Skipped)], hooks.Rows, c);
        return results;
    }
}

/// <summary>A recipient's inbox counter after the fan-out took its number.</summary>
internal sealed record Counter(string AgentId, long LastDeliverySeq, long AckedThrough);

/// <summary>A fan-out whose <see cref="Statements"/> a batch carries; <see cref="FanOut.CompleteAsync"/> once it ran.</summary>
internal sealed record PendingFanOut(Message Message, bool SkipBacklogged, IReadOnlyList<SqlStatement> Statements,
    SqlQuery<Counter>? Counters, SqlQuery<Webhook>? Hooks);
