using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Json;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Platform;

namespace Parley.Server.Messaging.Webhooks;

/// <summary>
/// Queues events for an agent's webhooks inside the transaction that caused them, so a committed event is never lost
/// and a rolled-back one never sent. The dispatcher is woken after commit.
/// </summary>
internal sealed class WebhookQueue(Writes writes, Ids ids, TimeProvider time, WebhookDispatcher dispatcher)
{
    public static readonly IReadOnlyList<string> EventTypes =
    [
        "message.new", "message.read", "group.deleted", "group.invite.received", "agent.claimed", "agent.released", "agent.status_changed",
    ];

    private ParleyDb Db => writes.Db;

    public async Task EnqueueAsync(string agentId, string eventType, object data, CancellationToken c)
    {
        var hooks = await Db.Webhooks.AsNoTracking().Where(w => w.AgentId == agentId).ToListAsync(c);
        foreach (var hook in hooks.Where(h => Subscribed(h, eventType)))
        {
            Add(hook, eventType, data, deliverySeq: null);
        }
    }

    /// <summary><c>message.new</c> for each recipient with a subscribed webhook, unless it muted the sender or conversation.</summary>
    public async Task EnqueueMessageAsync(Message message, IReadOnlyList<FanOutResult> recipients, CancellationToken c)
    {
        var recipientIds = recipients.Select(r => r.RecipientId).ToList();
        if (recipientIds.Count == 0)
        {
            return;
        }
        // Plain SQL: this runs on every send and almost always finds nothing.
        var hooks = await Sql.QueryAsync(Db,
            $"SELECT id, agent_id, url, events, secret, created_at, consecutive_failures, circuit_open_until FROM webhooks WHERE agent_id IN ({MessageRows.Parameters(recipientIds.Count)})",
            r => new Webhook
            {
                Id = r.GetString(0), AgentId = r.GetString(1), Url = r.GetString(2), Events = r.GetString(3), Secret = (byte[])r.GetValue(4),
                CreatedAt = r.GetInt64(5), ConsecutiveFailures = r.GetInt32(6), CircuitOpenUntil = r.GetInt64(7),
            }, c, [.. recipientIds]);
        hooks = [.. hooks.Where(h => Subscribed(h, "message.new"))];
        if (hooks.Count == 0)
        {
            return;
        }
        var now = time.NowMs();
        var hookOwners = hooks.Select(h => h.AgentId).Distinct().ToList();
        var muted = await Db.Mutes.AsNoTracking()
            .Where(m => hookOwners.Contains(m.AgentId) && (m.MutedUntil == null || m.MutedUntil > now)
                && (m.MutedAgentId == message.SenderId || m.ConversationId == message.ConversationId))
            .Select(m => m.AgentId).ToListAsync(c);
        var sender = await Db.Agents.AsNoTracking().FirstAsync(a => a.Id == message.SenderId, c);
        var view = MessageViews.ToView(message, MessageViews.Actor(sender));
        foreach (var hook in hooks.Where(h => !muted.Contains(h.AgentId)))
        {
            var seq = recipients.First(r => r.RecipientId == hook.AgentId).DeliverySeq;
            Add(hook, "message.new", new DeliveryView(MessageViews.DeliveryId(seq), view), seq);
        }
    }

    private static bool Subscribed(Webhook hook, string eventType) => hook.Events.Split(' ').Contains(eventType);

    private void Add(Webhook hook, string eventType, object data, long? deliverySeq)
    {
        var now = time.GetUtcNow();
        var body = JsonSerializer.Serialize(new { @event = eventType, timestamp = now, data }, ParleyJson.Options);
        Db.WebhookDeliveries.Add(new WebhookDelivery
        {
            Id = ids.New("msg"), WebhookId = hook.Id, AgentId = hook.AgentId, EventType = eventType, Body = body, DeliverySeq = deliverySeq,
            Status = WebhookDelivery.Pending, NextAttemptAt = now.ToUnixTimeMilliseconds(), CreatedAt = now.ToUnixTimeMilliseconds(),
        });
        writes.AfterCommit(() =>
        {
            dispatcher.Wake();
            return Task.CompletedTask;
        });
    }
}
