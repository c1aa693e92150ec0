using Parley.Server.Data;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Attachments;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Deliveries;
using Parley.Server.Messaging.Direct;

namespace Parley.Server.Messaging.Groups;

/// <summary>
/// Checks 4–10 of a send into a group and its writes, inside the send's transaction: members only; members whose
/// backlog is full are skipped and named in <c>skipped_recipients</c>.
/// </summary>
internal sealed class GroupSend(Writes writes, MessageStore messages, FanOut fanOut, GroupRules groups, AttachmentService attachments, MessageQuota quota)
{
    public async Task<SendResult> StoreAsync(Agent sender, string groupId, OutgoingMessage outgoing, CancellationToken c)
    {
        if (await messages.BySenderAsync(sender.Id, outgoing.ClientMsgId, c) is { } repeat)
        {
            return SendService.Repeat(repeat, sender);
        }
        // 4. The group and the sender's membership (GROUP_DELETED for a former member of a deleted group).
        await groups.TouchAsync(sender.Id, groupId, c);
        await writes.LockAsync(c, LockKeys.Group(groupId));
        // 8. Attachments.
        var attachment = outgoing.Type == "file" ? await attachments.EnsureSendableAsync(sender, outgoing.Content, c) : null;
        var message = await messages.AppendAsync(groupId, sender.Id, outgoing.Type, outgoing.Content, outgoing.Metadata, outgoing.ClientMsgId, c);
        await attachments.RecordAsync(message, attachment, c);
        // 9. Backlogged members are skipped.
        var members = await groups.ActiveMembersAsync(groupId, c);
        var results = await fanOut.DeliverAsync(message, [.. members.Select(m => m.AgentId).Where(id => id != sender.Id)], skipBacklogged: true, c);
        // 10. The sender's workspace's monthly message quota.
        await quota.AdmitAsync(sender, c);
        var skipped = await AgentQueries.HandlesAsync(writes.Db, [.. results.Where(r => r.Skipped).Select(r => r.RecipientId)], c);
        var view = MessageViews.ToView(message, sender.ToActor()) with { SkippedRecipients = skipped };
        return new SendResult(view, Created: true, null);
    }
}
