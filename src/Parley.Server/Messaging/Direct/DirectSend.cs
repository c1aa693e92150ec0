using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Wake;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Wake;
using Parley.Server.Wake.Runs;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Attachments;
using Parley.Server.Messaging.Contacts;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Deliveries;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Messaging.Direct;

/// <summary>
/// Checks 4–10 of a direct send and its writes, inside the send's transaction: the message, its delivery (numbered
/// from the recipient's counter), the conversation's <c>seq</c>, the cold-outreach count and the backlog count commit
/// together. PostgreSQL writers take the seam's locks in one fixed order (<see cref="LockKeys"/>: pair → sender's
/// outreach → conversation row → recipient's inbox row).
/// </summary>
internal sealed class DirectSend(Writes writes, Ids ids, TimeProvider time, MessageStore messages, FanOut fanOut, AttachmentService attachments,
    MessageQuota quota, AgentWaker waker, IOptions<MessagingOptions> options)
{
    private ParleyDb Db => writes.Db;
    private MessagingLimits Limits => options.Value.Limits;

    public async Task<SendResult> StoreAsync(Agent sender, SendMessageRequest request, OutgoingMessage outgoing, CancellationToken c)
    {
        var now = time.NowMs();
        // The client_msg_id lookup comes first: a retry gets the original even if, say, the recipient is gone since. It
        // travels in one round trip with the recipient's lookup (4).
        var repeat = MessageStore.BySender(sender.Id, outgoing.ClientMsgId);
        if (await ResolveAsync(sender, request, repeat, c) is not (var recipient, var conversation))
        {
            return SendService.Repeat(repeat.Rows.Single(), sender);
        }

        // Under the pair's lock, in one more round trip: the pair's conversation, blocks (5) and the contact the
        // recipient's inbox mode asks for (6).
        var (first, second) = string.CompareOrdinal(sender.Id, recipient.Id) < 0 ? (sender.Id, recipient.Id) : (recipient.Id, sender.Id);
        var pair = conversation is null ? MessageStore.Pair(first, second) : null;
        var blocked = ContactQueries.BlockedEitherWay(sender.Id, recipient.Id);
        var contact = recipient.InboxMode == "contacts_only" ? ContactQueries.HasContact(recipient.Id, sender.Id) : null;
        await Sql.BatchAsync(Db, c, [.. writes.LockStatements(LockKeys.Pair(sender.Id, recipient.Id)), pair, blocked, contact]);
        conversation ??= pair!.SingleOrDefault;

        // 5. Blocks, either way.
        if (blocked.Rows.Count > 0)
        {
            throw new ApiException(ErrorCodes.Blocked, "One of you has blocked the other.");
        }

        // 6. The recipient's inbox mode.
        if (contact is { Rows.Count: 0 })
        {
            throw new ApiException(ErrorCodes.InboxRestricted, "The recipient accepts messages only from contacts.",
                ApiErrors.Details(("handle", recipient.Handle)));
        }

        // 7. Cold outreach.
        if (conversation is null)
        {
            if (sender.Status == AgentStatus.Restricted)
            {
                throw new ApiException(ErrorCodes.AgentRestricted, "A restricted agent cannot start new conversations.");
            }
            await EnsureColdSlotAsync(sender, now, c);
        }
        else if (!conversation.Established && conversation.InitiatorId == sender.Id)
        {
            throw new ApiException(ErrorCodes.AwaitingReply, "Wait for a reply before messaging this agent again.",
                ApiErrors.Details(("recipient_handle", recipient.Handle), ("waiting_since", Clock.Time(conversation.CreatedAt))));
        }

        // 8. Attachments.
        var attachment = outgoing.Type == "file" ? await attachments.EnsureSendableAsync(sender, outgoing.Content, c) : null;

        if (conversation is null)
        {
            conversation = new Conversation
            {
                Id = ids.New("conv"), Kind = ConversationKind.Direct, AgentA = first, AgentB = second, InitiatorId = sender.Id,
                CreatedAt = now, LastMessageAt = now,
            };
            Db.Conversations.Add(conversation);
            Db.Participants.Add(new Participant { ConversationId = conversation.Id, AgentId = sender.Id, JoinedAt = now });
            Db.Participants.Add(new Participant { ConversationId = conversation.Id, AgentId = recipient.Id, JoinedAt = now });
            await Db.SaveChangesAsync(c);
        }
        else if (!conversation.Established)
        {
            // The recipient of a cold conversation replied: it is established for good, and they are each other's contacts.
            await messages.EstablishAsync(conversation.Id, c);
            await ContactQueries.AddAsync(Db, sender.Id, recipient.Id, now, c);
            await ContactQueries.AddAsync(Db, recipient.Id, sender.Id, now, c);
        }
        // The writes in one round trip: the message (its seq), its delivery (the recipient's number) and, when no plan
        // has a message quota, the count on the workspace's meter.
        var append = messages.PrepareAppend(conversation.Id, sender.Id, outgoing.Type, outgoing.Content, outgoing.Metadata, outgoing.ClientMsgId);
        var fan = fanOut.Prepare(append.Message, [recipient.Id], skipBacklogged: true);
        var counting = quota.Counting(sender);
        await Sql.BatchAsync(Db, c, [.. append.Statements, .. fan.Statements, counting]);
        var message = append.Complete();
        await attachments.RecordAsync(message, attachment, c);

        // 9. The recipient's backlog: past the cap nothing is stored (the whole transaction rolls back).
        var delivered = (await fanOut.CompleteAsync(fan, c)).Single();
        if (delivered.Skipped)
        {
            throw new ApiException(ErrorCodes.RecipientBacklogged, "The recipient has too many undelivered messages.",
                ApiErrors.Details(("recipient_handle", recipient.Handle), ("undelivered_count", delivered.Backlog)));
        }
        // 10. The sender's workspace's monthly message quota, where a plan has one (it locks, reads and checks).
        if (counting is null)
        {
            await quota.AdmitAsync(sender, c);
        }
        // A recipient whose wake_on includes direct messages is woken on its owner's device (its run's locks come last).
        await waker.WakeAsync(recipient, new WakeRequester("agent:" + sender.Id, null, sender.OwnerWorkspaceId),
            new RunRequest(RunReasons.DirectMessage, "agent:" + sender.Id)
            {
                MessageId = message.Id,
                Prompt = $"@{sender.Handle} sent you a direct message ({message.Id}, type {outgoing.Type}):\n\n{outgoing.Content}",
            }, c);
        var warning = delivered.Backlog >= Limits.BacklogWarning ? $"{recipient.Handle}={delivered.Backlog}" : null;
        return new SendResult(MessageViews.ToView(message, sender.ToActor()), Created: true, warning);
    }

    /// <summary>
    /// 4. The recipient (by name, or the other side of the conversation), read in one batch with <paramref name="repeat"/>;
    /// null when <paramref name="repeat"/> found the original, whose answer wins over any failure here.
    /// </summary>
    private async Task<(Agent Recipient, Conversation? Conversation)?> ResolveAsync(Agent sender, SendMessageRequest request, SqlQuery<Message> repeat,
        CancellationToken c)
    {
        if (request.To is { } handle)
        {
            var byName = AgentQueries.ByName(handle);
            await Sql.BatchAsync(Db, c, repeat, byName);
            if (repeat.Rows.Count > 0)
            {
                return null;
            }
            var agent = byName?.SingleOrDefault ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
            return agent.Id == sender.Id ? throw ApiErrors.Validation("to", "an agent cannot message itself") : (agent, null);
        }
        var direct = MessageStore.DirectOf(request.ConversationId, sender.Id);
        await Sql.BatchAsync(Db, c, repeat, direct);
        if (repeat.Rows.Count > 0)
        {
            return null;
        }
        var conversation = direct.SingleOrDefault ?? throw new ApiException(ErrorCodes.ConversationNotFound, "No such conversation.");
        var otherId = conversation.AgentA == sender.Id ? conversation.AgentB : conversation.AgentA;
        var other = (await AgentQueries.ByIdAsync(Db, otherId!, c))!;
        return other.Status == AgentStatus.Deleted ? throw new ApiException(ErrorCodes.AgentNotFound, "The other agent was deleted.") : (other, conversation);
    }

    private async Task EnsureColdSlotAsync(Agent sender, long now, CancellationToken c)
    {
        await writes.LockAsync(c, LockKeys.Outreach(sender.Id));
        var windowStart = now - Clock.DayMs;
        var cold = await Db.Conversations.Where(x => x.InitiatorId == sender.Id && !x.Established && x.CreatedAt > windowStart)
            .OrderBy(x => x.CreatedAt).Select(x => x.CreatedAt).Take(Limits.ColdConversationsPerDay).ToListAsync(c);
        if (cold.Count >= Limits.ColdConversationsPerDay)
        {
            throw new ApiException(ErrorCodes.ColdCapExceeded, "Too many cold conversations in the last 24 hours.",
                ApiErrors.Details(("limit", Limits.ColdConversationsPerDay), ("window_seconds", Clock.DaySeconds)),
                retryAfter: TimeSpan.FromMilliseconds(cold[0] + Clock.DayMs - now));
        }
    }
}
