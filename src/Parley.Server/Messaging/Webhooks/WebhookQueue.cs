using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Json;
using Parley.Contracts.Messaging;
using Parley.Contracts.Channel;
using Parley.Server.Data;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Contacts;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Deliveries;
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
        FrameTypes.MessageNew, FrameTypes.MessageRead, FrameTypes.GroupDeleted, FrameTypes.GroupInviteReceived, FrameTypes.AgentClaimed,
        FrameTypes.AgentReleased, FrameTypes.AgentStatusChanged,
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

    /// <summary>
    /// The webhooks of these agents, as a statement of the fan-out's batch (plain SQL: this runs on every send and almost
    /// always finds nothing, so it rides along with the delivery writes instead of taking a round trip of its own).
    /// </summary>
    public static SqlQuery<Webhook> Of(IReadOnlyCollection<string> agentIds) =>
        new($"SELECT id, agent_id, url, events, secret, created_at, consecutive_failures, circuit_open_until FROM webhooks WHERE agent_id IN ({Sql.Parameters(agentIds.Count)})",
            r => new Webhook
            {
                Id = r.Text("id"), AgentId = r.Text("agent_id"), Url = r.Text("url"), Events = r.Text("events"), Secret = r.Bytes("secret"),
                CreatedAt = r.Int64("created_at"), ConsecutiveFailures = r.Int32("consecutive_failures"), CircuitOpenUntil = r.Int64("circuit_open_until"),
            }, [.. agentIds]);

    /// <summary><c>message.new</c> for each recipient with a subscribed webhook, unless it muted the sender or conversation.</summary>
    /// <param name="message">The message stored.</param>
    /// <param name="recipients">Its deliveries.</param>
    /// <param name="recipientHooks">The recipients' webhooks (<see cref="Of"/>), read in the fan-out's batch.</param>
    /// <param name="c">Cancellation.</param>
    public async Task EnqueueMessageAsync(Message message, IReadOnlyList<FanOutResult> recipients, IReadOnlyList<Webhook> recipientHooks, CancellationToken c)
    {
        var delivered = recipients.Select(r => r.RecipientId).ToHashSet(StringComparer.Ordinal);
        var hooks = recipientHooks.Where(h => delivered.Contains(h.AgentId) && Subscribed(h, FrameTypes.MessageNew)).ToList();
        if (hooks.Count == 0)
        {
            return;
        }
        var now = time.NowMs();
        var hookOwners = hooks.Select(h => h.AgentId).Distinct().ToList();
        var muted = await ContactQueries.MutingAsync(Db, hookOwners, message.SenderId, message.ConversationId, now, c);
        var sender = (await AgentQueries.ByIdAsync(Db, message.SenderId, c))!;
        var view = MessageViews.ToView(message, sender.ToActor());
        foreach (var hook in hooks.Where(h => !muted.Contains(h.AgentId)))
        {
            var seq = recipients.First(r => r.RecipientId == hook.AgentId).DeliverySeq;
            Add(hook, FrameTypes.MessageNew, new DeliveryView(DeliveryIds.Of(seq), view), seq);
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
