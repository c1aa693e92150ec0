using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Groups;
using Parley.Server.Messaging.Webhooks;

namespace Parley.Server.Messaging;

/// <summary>Messaging's part in deleting an agent: it leaves every group (an admin is promoted where needed), its pending invitations, webhooks and mutes go.</summary>
internal sealed class MessagingDeletionStep(Writes writes, GroupService groups, WebhookService webhooks) : IAgentDeletionStep
{
    public async Task OnAgentDeletedAsync(string agentId, CancellationToken cancellationToken)
    {
        var db = writes.Db;
        var active = await db.Participants.AsNoTracking().Where(p => p.AgentId == agentId && p.LeftAt == null && p.ConversationId.StartsWith("grp_"))
            .Select(p => p.ConversationId).ToListAsync(cancellationToken);
        foreach (var groupId in active)
        {
            await writes.LockAsync(cancellationToken, LockKeys.Group(groupId));
            await groups.LeaveGroupAsync(agentId, groupId, cancellationToken);
        }
        await db.GroupInvites.Where(i => i.AgentId == agentId && i.Status == GroupInvite.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, GroupInvite.Cancelled), cancellationToken);
        await webhooks.DeleteAllAsync(agentId, cancellationToken);
        await db.Mutes.Where(m => m.AgentId == agentId).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>Sends identity's notices (claimed, released, status changed) to the agent's webhooks too.</summary>
internal sealed class NoticeWebhooks(WebhookQueue queue) : IAgentNoticeListener
{
    public Task OnNoticeAsync(string agentId, string type, object payload, CancellationToken cancellationToken) =>
        queue.EnqueueAsync(agentId, type, payload, cancellationToken);
}
