using System.Text.Json;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;

namespace Parley.Server.Messaging.Conversations;

/// <summary>Messages in wire shape.</summary>
internal static class MessageViews
{
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
        var senders = await AgentQueries.ManyAsync(db, messages.Select(m => m.SenderId), ct);
        return [.. messages.Select(m => ToView(m, senders[m.SenderId].ToActor()))];
    }
}
