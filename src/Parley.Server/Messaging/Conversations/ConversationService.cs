using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Groups;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Conversations;

/// <summary>Conversation lists, history, read receipts and hiding, for direct conversations and groups alike.</summary>
internal sealed class ConversationService(Writes writes, AgentChannel channel, GroupRules groups)
{
    private ParleyDb Db => writes.Db;

    public async Task<Page<ConversationView>> ListAsync(string agentId, int? limit, string? cursor, CancellationToken ct)
    {
        var v = new Validator();
        v.Range("limit", limit, 1, Paging.MaxLimit);
        v.ThrowIfInvalid();
        var take = limit ?? 50;
        var (afterTime, afterId) = DecodeCursor(cursor);
        var query = Db.Participants.AsNoTracking().Where(p => p.AgentId == agentId && p.LeftAt == null)
            .Join(Db.Conversations.AsNoTracking(), p => p.ConversationId, c => c.Id, (p, c) => new { p, c })
            .Where(x => afterId == null || x.c.LastMessageAt < afterTime || (x.c.LastMessageAt == afterTime && string.Compare(x.c.Id, afterId) < 0))
            .OrderByDescending(x => x.c.LastMessageAt).ThenByDescending(x => x.c.Id)
            .Take(take + 1);
        var rows = await query.ToListAsync(ct);
        var page = rows.Take(take).ToList();

        var conversationIds = page.Select(r => r.c.Id).ToList();
        var lastMessages = await Db.Messages.AsNoTracking()
            .Where(m => conversationIds.Contains(m.ConversationId))
            .Join(Db.Conversations.AsNoTracking(), m => new { m.ConversationId, m.Seq }, c => new { ConversationId = c.Id, Seq = c.LastSeq }, (m, c) => m)
            .ToListAsync(ct);
        var lastViews = (await MessageViews.ToViewsAsync(Db, lastMessages, ct)).ToDictionary(v => v.ConversationId);
        var unread = await Db.Participants.AsNoTracking().Where(p => p.AgentId == agentId && conversationIds.Contains(p.ConversationId))
            .Select(p => new
            {
                p.ConversationId,
                Count = Db.Messages.Count(m => m.ConversationId == p.ConversationId && m.Seq > p.LastReadSeq && m.Seq > p.JoinedSeq && m.SenderId != agentId),
            })
            .ToDictionaryAsync(x => x.ConversationId, x => x.Count, ct);
        var participantRows = await Db.Participants.AsNoTracking().Where(p => conversationIds.Contains(p.ConversationId))
            .Join(AgentQueries.All(Db), p => p.AgentId, a => a.Id, (p, a) => new { p.ConversationId, Agent = a }).ToListAsync(ct);
        var participants = participantRows.GroupBy(x => x.ConversationId).ToDictionary(g => g.Key, g => g.Select(x => x.Agent.ToActor()).ToList());

        var data = page.Select(r => new ConversationView(r.c.Id, r.c.Kind, participants[r.c.Id], r.c.Established,
            lastViews.GetValueOrDefault(r.c.Id), unread.GetValueOrDefault(r.c.Id), Clock.Time(r.c.LastMessageAt))).ToList();
        var next = rows.Count > take ? EncodeCursor(page[^1].c.LastMessageAt, page[^1].c.Id) : null;
        return new Page<ConversationView>(data, next);
    }

    private static string EncodeCursor(long at, string id) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at}:{id}"));

    private static (long, string?) DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return (0, null);
        }
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            var split = text.IndexOf(':', StringComparison.Ordinal);
            return (long.Parse(text[..split], CultureInfo.InvariantCulture), text[(split + 1)..]);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw ApiErrors.Validation("cursor", "is not a cursor this server gave");
        }
    }

    /// <summary>History ascending by seq; a member sees only what was sent from when it joined, minus what it hid.</summary>
    public async Task<HistoryPage> HistoryAsync(string agentId, string conversationId, int? limit, long? beforeSeq, long? afterSeq, CancellationToken ct)
    {
        var take = SeqWindow.Validate(limit, beforeSeq, afterSeq);
        var participant = await ParticipantAsync(agentId, conversationId, ct);
        var query = Db.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId && m.Seq > participant.JoinedSeq
            && !Db.HiddenMessages.Any(h => h.AgentId == agentId && h.MessageId == m.Id));
        List<Message> rows;
        if (afterSeq is { } after)
        {
            rows = await query.Where(m => m.Seq > after).OrderBy(m => m.Seq).Take(take + 1).ToListAsync(ct);
        }
        else
        {
            rows = await query.Where(m => beforeSeq == null || m.Seq < beforeSeq).OrderByDescending(m => m.Seq).Take(take + 1).ToListAsync(ct);
            rows.Reverse();
            if (rows.Count > take)
            {
                rows.RemoveAt(0);
                return new HistoryPage(await MessageViews.ToViewsAsync(Db, rows, ct), HasMore: true);
            }
            return new HistoryPage(await MessageViews.ToViewsAsync(Db, rows, ct), HasMore: false);
        }
        var hasMore = rows.Count > take;
        return new HistoryPage(await MessageViews.ToViewsAsync(Db, [.. rows.Take(take)], ct), hasMore);
    }

    /// <summary>The caller's active place in a conversation (for groups: GROUP_DELETED to former members of a deleted one).</summary>
    private async Task<Participant> ParticipantAsync(string agentId, string conversationId, CancellationToken ct)
    {
        if (conversationId.StartsWith("grp_", StringComparison.Ordinal))
        {
            return (await groups.TouchAsync(agentId, conversationId, ct)).Member;
        }
        return await Db.Participants.AsNoTracking().FirstOrDefaultAsync(p => p.ConversationId == conversationId && p.AgentId == agentId, ct)
            ?? throw new ApiException(ErrorCodes.ConversationNotFound, "No such conversation.");
    }

    private async Task<Message> VisibleMessageAsync(string agentId, string messageId, CancellationToken ct)
    {
        var message = await Db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == messageId, ct);
        var participant = message is null ? null
            : await Db.Participants.AsNoTracking().FirstOrDefaultAsync(p => p.ConversationId == message.ConversationId && p.AgentId == agentId && p.LeftAt == null, ct);
        if (message is null || participant is null || message.Seq <= participant.JoinedSeq
            || await Db.HiddenMessages.AnyAsync(h => h.AgentId == agentId && h.MessageId == messageId, ct))
        {
            throw new ApiException(ErrorCodes.MessageNotFound, "No such message.");
        }
        return message;
    }

    /// <summary>Marks the message and everything before it read, and tells the sender.</summary>
    public async Task<ReadResult> MarkReadAsync(string agentId, string messageId, CancellationToken ct)
    {
        var message = await VisibleMessageAsync(agentId, messageId, ct);
        var lastRead = await writes.RunAsync(async c =>
        {
            var participant = await Db.Participants.FirstAsync(p => p.ConversationId == message.ConversationId && p.AgentId == agentId, c);
            participant.LastReadSeq = Math.Max(participant.LastReadSeq, message.Seq);
            if (message.SenderId != agentId)
            {
                MessageReadEvent.Publish(channel, message.SenderId, message.ConversationId, message.Id, agentId);
            }
            return participant.LastReadSeq;
        }, ct);
        return new ReadResult(message.ConversationId, lastRead);
    }

    public async Task HideAsync(string agentId, string messageId, CancellationToken ct)
    {
        var message = await VisibleMessageAsync(agentId, messageId, ct);
        await writes.RunAsync(c => Sql.ExecuteAsync(Db,
            "INSERT INTO hidden_messages (agent_id, message_id) VALUES (@p0, @p1) ON CONFLICT DO NOTHING", c, agentId, message.Id), ct);
    }
}
