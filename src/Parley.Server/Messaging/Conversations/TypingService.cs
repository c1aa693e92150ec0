using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Channel;
using Parley.Contracts.Errors;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Messaging.Conversations;

/// <summary>Relays <c>typing.start</c> to a conversation's other participants (ephemeral; nothing is stored).</summary>
internal sealed class TypingService(ParleyDb db, AgentChannel channel)
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
            TypingEvent.Publish(channel, other, conversationId!, agentId);
        }
    }
}

/// <summary>A <c>typing.start</c> frame from an agent: <c>conversation_id</c> at the top level or in <c>payload</c>.</summary>
internal sealed class TypingFrame : IFrameHandler
{
    public string Type => FrameTypes.TypingStart;

    public async Task<Frame?> HandleAsync(IServiceProvider services, string agentId, JsonElement frame, CancellationToken ct)
    {
        await services.GetRequiredService<TypingService>().StartAsync(agentId, ChannelFrames.Field(frame, "conversation_id"), ct);
        return null;
    }
}

/// <summary><c>typing.start</c> to a participant: conversation id, typist id.</summary>
internal sealed class TypingEvent : IAgentEventRenderer
{
    public string Type => FrameTypes.TypingStart;

    public static void Publish(AgentChannel channel, string recipientId, string conversationId, string typistId) =>
        channel.Publish(recipientId, FrameTypes.TypingStart, conversationId, typistId);

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct) =>
        new { conversation_id = a[0], from = await AgentQueries.ActorAsync(services.GetRequiredService<ParleyDb>(), a[1], ct) };
}

/// <summary><c>message.read</c> to the sender: conversation id, message id, reader id.</summary>
internal sealed class MessageReadEvent : IAgentEventRenderer
{
    public string Type => FrameTypes.MessageRead;

    public static void Publish(AgentChannel channel, string senderId, string conversationId, string messageId, string readerId) =>
        channel.Publish(senderId, FrameTypes.MessageRead, conversationId, messageId, readerId);

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct) =>
        new { conversation_id = a[0], message_id = a[1], reader = await AgentQueries.ActorAsync(services.GetRequiredService<ParleyDb>(), a[2], ct) };
}
