using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Messaging.Realtime;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Files;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging;

internal sealed record SendResult(MessageView Message, bool Created, string? BacklogWarning);

/// <summary>
/// <c>POST /v1/messages</c>. After the <c>client_msg_id</c> lookup, the checks run in the spec's order and the first
/// that fails answers. The message, its delivery (numbered from the recipient's counter), the conversation's
/// <c>seq</c>, the cold-outreach count and the backlog count commit in one transaction; PostgreSQL writers take the
/// seam's locks in one fixed order (pair or group → sender's outreach → conversation row → recipients' inbox rows, by id).
/// </summary>
internal sealed class SendService(
    Writes writes, Ids ids, TimeProvider time, RateLimiter rates, DeliveryNotifier notifier, FanOut fanOut, GroupRules groups, IOptions<MessagingOptions> options)
{
    private static readonly HashSet<string> Types = ["text", "structured", "file"];
    private ParleyDb Db => writes.Db;
    private MessagingLimits Limits => options.Value.Limits;

    public async Task<SendResult> SendAsync(HttpContext http, Caller caller, SendMessageRequest request, CancellationToken ct)
    {
        var sender = caller.Agent!;
        var v = new Validator();
        var clientMsgId = v.Required("client_msg_id", request.ClientMsgId);
        v.Length("client_msg_id", request.ClientMsgId, 1, 128);
        v.ThrowIfInvalid();

        // 0. A retry always gets the original, whatever has changed since. The lookup runs inside the transaction
        // (under the pair's lock); here it runs only when a check below would fail, so a repeat still beats the checks.
        async Task<SendResult?> RepeatAsync() =>
            await MessageRows.BySenderAsync(Db, sender.Id, clientMsgId, ct) is { } original
                ? new SendResult(MessageViews.ToView(original, MessageViews.Actor(sender)), Created: false, null)
                : null;

        // 1. The caller's own state.
        if (sender.Status == AgentStatus.Suspended)
        {
            return await RepeatAsync() ?? throw new ApiException(ErrorCodes.AgentSuspended, "This agent is suspended.");
        }
        if (sender.Paused is PauseMode.Send or PauseMode.Full)
        {
            return await RepeatAsync()
                ?? throw new ApiException(ErrorCodes.AgentPausedByOwner, "The agent's owner has paused it.", ApiErrors.Details(("mode", sender.Paused)));
        }

        // 2. Rate: the agent's own, and a group's shared one.
        var isGroup = request.To is null && request.ConversationId?.StartsWith("grp_", StringComparison.Ordinal) == true;
        try
        {
            rates.Enforce(http, "agent-send");
            if (isGroup)
            {
                rates.Enforce(http, "group-send", "group:" + request.ConversationId);
            }
        }
        catch (ApiException limited)
        {
            if (await RepeatAsync() is { } repeated)
            {
                return repeated;
            }
            notifier.RateLimitWarning(sender.Id, limited);
            throw;
        }

        // 3. Shape.
        (string Type, string Content, string? Metadata) shape;
        try
        {
            shape = ValidateShape(request, sender);
        }
        catch (ApiException)
        {
            if (await RepeatAsync() is { } repeated)
            {
                return repeated;
            }
            throw;
        }
        var (type, content, metadata) = shape;

        try
        {
            return await writes.RunAsync(c => isGroup
                ? StoreGroupAsync(sender, request.ConversationId!, clientMsgId, type, content, metadata, c)
                : StoreAsync(sender, request, clientMsgId, type, content, metadata, c), ct);
        }
        catch (Exception e) when (writes.IsUniqueViolation(e))
        {
            // A concurrent send with this client_msg_id won; answer as a repeat.
            var stored = (await MessageRows.BySenderAsync(Db, sender.Id, clientMsgId, ct))!;
            return new SendResult(MessageViews.ToView(stored, MessageViews.Actor(sender)), Created: false, null);
        }
    }

    private (string Type, string Content, string? Metadata) ValidateShape(SendMessageRequest request, Agent sender)
    {
        var v = new Validator();
        if ((request.To is null) == (request.ConversationId is null))
        {
            v.Add("to", "give exactly one of to and conversation_id");
        }
        var type = request.Type ?? "text";
        if (!Types.Contains(type))
        {
            v.Add("type", "must be one of: text, structured, file");
        }
        if (request.Content is not { ValueKind: JsonValueKind.Object } content)
        {
            v.Add("content", "must be an object");
            v.ThrowIfInvalid();
            return default;
        }
        var contentJson = content.GetRawText();
        var metadataJson = request.Metadata is { ValueKind: not JsonValueKind.Null } m ? m.GetRawText() : null;
        var bytes = Encoding.UTF8.GetByteCount(contentJson) + (metadataJson is null ? 0 : Encoding.UTF8.GetByteCount(metadataJson));
        if (bytes > Limits.MaxMessageBytes)
        {
            throw ApiErrors.TooLarge(Limits.MaxMessageBytes, "content and metadata together are over the limit");
        }
        switch (type)
        {
            case "text" when !(content.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String && text.GetString()!.Length > 0):
                v.Add("content.text", "is required for a text message");
                break;
            case "structured" when !content.TryGetProperty("data", out _):
                v.Add("content.data", "is required for a structured message");
                break;
            case "file" when !(content.TryGetProperty("attachment_id", out var file) && file.ValueKind == JsonValueKind.String):
                v.Add("content.attachment_id", "is required for a file message");
                break;
        }
        if (request.To is not null && request.To == sender.Handle)
        {
            v.Add("to", "an agent cannot message itself");
        }
        v.ThrowIfInvalid();
        return (type, contentJson, metadataJson);
    }

    private async Task<SendResult> StoreAsync(Agent sender, SendMessageRequest request, string clientMsgId, string type,
        string content, string? metadata, CancellationToken c)
    {
        var now = time.NowMs();
        // The client_msg_id lookup comes first: a retry gets the original even if, say, the recipient is gone since.
        if (await MessageRows.BySenderAsync(Db, sender.Id, clientMsgId, c) is { } repeat)
        {
            return new SendResult(MessageViews.ToView(repeat, MessageViews.Actor(sender)), Created: false, null);
        }

        // 4. Recipient.
        var (recipient, conversation) = await ResolveAsync(sender, request, c);
        var (first, second) = string.CompareOrdinal(sender.Id, recipient.Id) < 0 ? (sender.Id, recipient.Id) : (recipient.Id, sender.Id);
        await writes.LockAsync(c, LockKeys.Pair(sender.Id, recipient.Id));
        conversation ??= await Sql.SingleOrDefaultAsync(Db, $"SELECT {MessageRows.ConversationColumns} FROM conversations c WHERE c.agent_a = @p0 AND c.agent_b = @p1",
            r => MessageRows.ReadConversation(r), c, first, second);

        // 5. Blocks, either way.
        if ((await Sql.QueryAsync(Db, "SELECT 1 FROM blocks WHERE (blocker_id = @p0 AND blocked_id = @p1) OR (blocker_id = @p1 AND blocked_id = @p0)",
            r => 1, c, sender.Id, recipient.Id)).Count > 0)
        {
            throw new ApiException(ErrorCodes.Blocked, "One of you has blocked the other.");
        }

        // 6. The recipient's inbox mode.
        if (recipient.InboxMode == "contacts_only"
            && (await Sql.QueryAsync(Db, "SELECT 1 FROM contacts WHERE owner_id = @p0 AND contact_id = @p1", r => 1, c, recipient.Id, sender.Id)).Count == 0)
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
        var attachment = type == "file" ? await EnsureAttachmentAsync(sender, content, c) : null;

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
            await Sql.ExecuteAsync(Db, "UPDATE conversations SET established = @p1 WHERE id = @p0", c, conversation.Id, true);
            await AddContactAsync(sender.Id, recipient.Id, now, c);
            await AddContactAsync(recipient.Id, sender.Id, now, c);
        }
        var message = await groups.StoreAsync(conversation.Id, sender.Id, type, content, metadata, clientMsgId, c);
        await RecordAttachmentAsync(message, attachment, c);

        // 9. The recipient's backlog: past the cap nothing is stored (the whole transaction rolls back).
        var delivered = (await fanOut.DeliverAsync(message, [recipient.Id], skipBacklogged: true, c)).Single();
        if (delivered.Skipped)
        {
            throw new ApiException(ErrorCodes.RecipientBacklogged, "The recipient has too many undelivered messages.",
                ApiErrors.Details(("recipient_handle", recipient.Handle), ("undelivered_count", delivered.Backlog)));
        }
        var warning = delivered.Backlog >= Limits.BacklogWarning ? $"{recipient.Handle}={delivered.Backlog}" : null;
        return new SendResult(MessageViews.ToView(message, MessageViews.Actor(sender)), Created: true, warning);
    }

    /// <summary>A group send: members only; backlogged members are skipped and named in <c>skipped_recipients</c>.</summary>
    private async Task<SendResult> StoreGroupAsync(Agent sender, string groupId, string clientMsgId, string type, string content, string? metadata,
        CancellationToken c)
    {
        if (await MessageRows.BySenderAsync(Db, sender.Id, clientMsgId, c) is { } repeat)
        {
            return new SendResult(MessageViews.ToView(repeat, MessageViews.Actor(sender)), Created: false, null);
        }
        // 4. The group and the sender's membership (GROUP_DELETED for a former member of a deleted group).
        await groups.TouchAsync(sender.Id, groupId, c);
        await writes.LockAsync(c, LockKeys.Group(groupId));
        // 8. Attachments.
        var attachment = type == "file" ? await EnsureAttachmentAsync(sender, content, c) : null;
        var message = await groups.StoreAsync(groupId, sender.Id, type, content, metadata, clientMsgId, c);
        await RecordAttachmentAsync(message, attachment, c);
        // 9. Backlogged members are skipped.
        var members = await groups.ActiveMembersAsync(groupId, c);
        var results = await fanOut.DeliverAsync(message, [.. members.Select(m => m.AgentId).Where(id => id != sender.Id)], skipBacklogged: true, c);
        var skippedIds = results.Where(r => r.Skipped).Select(r => r.RecipientId).ToList();
        var skipped = await Db.Agents.AsNoTracking().Where(a => skippedIds.Contains(a.Id)).Select(a => a.Handle).OrderBy(h => h).ToListAsync(c);
        var view = MessageViews.ToView(message, MessageViews.Actor(sender)) with { SkippedRecipients = skipped };
        return new SendResult(view, Created: true, null);
    }

    private async Task RecordAttachmentAsync(Message message, string? fileId, CancellationToken c)
    {
        if (fileId is not null)
        {
            Db.MessageAttachments.Add(new MessageAttachment { MessageId = message.Id, FileId = fileId, ConversationId = message.ConversationId, Seq = message.Seq });
            await Db.SaveChangesAsync(c);
        }
    }

    private async Task<(Agent Recipient, Conversation? Conversation)> ResolveAsync(Agent sender, SendMessageRequest request, CancellationToken c)
    {
        if (request.To is { } handle)
        {
            var agent = await AgentRows.ByHandleAsync(Db, handle, c) ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
            return (agent, null);
        }
        var conversation = await Sql.SingleOrDefaultAsync(Db,
            $"SELECT {MessageRows.ConversationColumns} FROM conversations c WHERE c.id = @p0 AND c.kind = 'direct' AND (c.agent_a = @p1 OR c.agent_b = @p1)",
            r => MessageRows.ReadConversation(r), c, request.ConversationId, sender.Id)
            ?? throw new ApiException(ErrorCodes.ConversationNotFound, "No such conversation.");
        var otherId = conversation.AgentA == sender.Id ? conversation.AgentB : conversation.AgentA;
        var other = (await AgentRows.ByIdAsync(Db, otherId!, c))!;
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

    private async Task<string> EnsureAttachmentAsync(Agent sender, string content, CancellationToken c)
    {
        var id = JsonDocument.Parse(content).RootElement.GetProperty("attachment_id").GetString();
        var file = await Db.Files.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id && f.Purpose == AttachmentService.Purpose && f.CreatedBy == "agent:" + sender.Id
            && f.Status != StoredFile.Deleted, c)
            ?? throw ApiErrors.Validation("content.attachment_id", "no such attachment of yours");
        FileStore.EnsureUploaded(file);
        return file.Id;
    }

    private Task<int> AddContactAsync(string owner, string contact, long now, CancellationToken c) =>
        Sql.ExecuteAsync(Db, "INSERT INTO contacts (owner_id, contact_id, notes, created_at) VALUES (@p0, @p1, NULL, @p2) ON CONFLICT (owner_id, contact_id) DO NOTHING",
            c, owner, contact, now);
}
