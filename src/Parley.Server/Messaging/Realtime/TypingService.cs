using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Messaging.Realtime;

/// <summary>Relays <c>typing.start</c> to a conversation's other participants (ephemeral; nothing is stored).</summary>
internal sealed class TypingService(ParleyDb db, DeliveryNotifier notifier)
{
    public async Task StartAsync(string agentId, string? conversationId, CancellationToken ct)
    {
        var participants = await db.Participants.AsNoTracking().Where(p => p.ConversationId == conversationId && p.LeftAt == null)
            .Select(p => p.AgentId).ToListAsync(ct);
        if (!participants.Contains(agentId))
        {
            throw new ApiException(ErrorCodes.ConversationNotFound, "No such conversation.");
        }
        foreach (var other in participants.Where(p => p != agentId))
        {
            notifier.Typing(other, conversationId!, agentId);
        }
    }
}
