using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;

namespace Parley.Server.Messaging.Contacts;

/// <summary>
/// Contacts, blocks and mutes as the rest of messaging reads them (sending, group adds, the delivery feed, webhooks).
/// Plain SQL where a send runs it.
/// </summary>
internal static class ContactQueries
{
    /// <summary>Whether either agent blocked the other.</summary>
    public static async Task<bool> IsBlockedEitherWayAsync(ParleyDb db, string a, string b, CancellationToken ct) =>
        (await Sql.QueryAsync(db, BlockedEitherWay(a, b), ct)).Count > 0;

    /// <summary><see cref="IsBlockedEitherWayAsync"/> as a statement of a batch: a row when either has blocked the other.</summary>
    public static SqlQuery<bool> BlockedEitherWay(string a, string b) =>
        new("SELECT 1 AS found FROM blocks WHERE (blocker_id = @p0 AND blocked_id = @p1) OR (blocker_id = @p1 AND blocked_id = @p0)", _ => true, a, b);

    /// <summary>Whether <paramref name="ownerId"/> has <paramref name="contactId"/> in its contacts.</summary>
    public static async Task<bool> HasContactAsync(ParleyDb db, string ownerId, string contactId, CancellationToken ct) =>
        (await Sql.QueryAsync(db, HasContact(ownerId, contactId), ct)).Count > 0;

    /// <summary><see cref="HasContactAsync"/> as a statement of a batch: a row when it is a contact.</summary>
    public static SqlQuery<bool> HasContact(string ownerId, string contactId) =>
        new("SELECT 1 AS found FROM contacts WHERE owner_id = @p0 AND contact_id = @p1", _ => true, ownerId, contactId);

    /// <summary>Adds a contact unless it is one already (notes untouched).</summary>
    public static Task<int> AddAsync(ParleyDb db, string ownerId, string contactId, long now, CancellationToken ct) =>
        Sql.ExecuteAsync(db, "INSERT INTO contacts (owner_id, contact_id, notes, created_at) VALUES (@p0, @p1, NULL, @p2) ON CONFLICT (owner_id, contact_id) DO NOTHING",
            ct, ownerId, contactId, now);

    /// <summary>Records a block unless it exists already.</summary>
    public static Task<int> BlockAsync(ParleyDb db, string blockerId, string blockedId, long now, CancellationToken ct) =>
        Sql.ExecuteAsync(db, "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (@p0, @p1, @p2) ON CONFLICT DO NOTHING",
            ct, blockerId, blockedId, now);

    /// <summary>The agent's mutes in force now: a muted agent or a muted conversation each.</summary>
    public static Task<List<(string? MutedAgentId, string? ConversationId)>> ActiveMutesAsync(ParleyDb db, string agentId, long now, CancellationToken ct) =>
        Sql.QueryAsync(db, "SELECT muted_agent_id, conversation_id FROM mutes WHERE agent_id = @p0 AND (muted_until IS NULL OR muted_until > @p1)",
            r => (r.TextOrNull("muted_agent_id"), r.TextOrNull("conversation_id")), ct, agentId, now);

    /// <summary>Which of these agents muted the sender or the conversation, now.</summary>
    public static Task<List<string>> MutingAsync(ParleyDb db, IReadOnlyCollection<string> agentIds, string senderId, string conversationId, long now,
        CancellationToken ct) =>
        db.Mutes.AsNoTracking()
            .Where(m => agentIds.Contains(m.AgentId) && (m.MutedUntil == null || m.MutedUntil > now)
                && (m.MutedAgentId == senderId || m.ConversationId == conversationId))
            .Select(m => m.AgentId).ToListAsync(ct);
}
