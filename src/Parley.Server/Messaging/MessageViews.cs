using System.Text.Json;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;

namespace Parley.Server.Messaging;

/// <summary>Messages and their senders in wire shape.</summary>
internal static class MessageViews
{
    public static ActorRef Actor(Agent agent) => agent.Status == AgentStatus.Deleted
        ? new ActorRef("agent", agent.Id, agent.Handle)
        : new ActorRef("agent", agent.Id, agent.Handle, agent.Plate, agent.DisplayName);

    public static MessageView ToView(Message m, ActorRef sender) => new(
        m.Id, m.ConversationId, sender, m.ClientMsgId, m.Seq, m.Type,
        JsonDocument.Parse(m.Content).RootElement.Clone(),
        m.Metadata is null ? null : JsonDocument.Parse(m.Metadata).RootElement.Clone(),
        Clock.Time(m.CreatedAt));

    /// <summary>Views for many messages, reading each distinct sender once.</summary>
    public static async Task<List<MessageView>> ToViewsAsync(ParleyDb db, IReadOnlyList<Message> messages, CancellationToken ct)
    {
        if (messages.Count == 0)
        {
            return [];
        }
        var senderIds = messages.Select(m => m.SenderId).Distinct().ToList();
        var senders = (await Sql.QueryAsync(db, $"SELECT {AgentRows.Columns} FROM agents a WHERE a.id IN ({MessageRows.Parameters(senderIds.Count)})",
            r => AgentRows.Read(r), ct, [.. senderIds])).ToDictionary(a => a.Id);
        return [.. messages.Select(m => ToView(m, Actor(senders[m.SenderId])))];
    }

    /// <summary>Delivery ids are opaque to clients; inside they carry the recipient's delivery number.</summary>
    public static string DeliveryId(long seq) => "del_" + seq.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParseDeliveryId(string? id, out long seq)
    {
        seq = 0;
        return id is not null && id.StartsWith("del_", StringComparison.Ordinal)
            && long.TryParse(id.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seq);
    }
}
