using System.Data.Common;
using Parley.Server.Data;

namespace Parley.Server.Messaging;

/// <summary>Column lists and readers for messaging's hot paths, which read with plain SQL.</summary>
internal static class MessageRows
{
    public const string Columns = "m.id, m.conversation_id, m.seq, m.sender_id, m.client_msg_id, m.type, m.content, m.metadata, m.created_at";

    public static Message Read(DbDataReader r, int o = 0) => new()
    {
        Id = r.GetString(o), ConversationId = r.GetString(o + 1), Seq = r.GetInt64(o + 2), SenderId = r.GetString(o + 3),
        ClientMsgId = r.GetString(o + 4), Type = r.GetString(o + 5), Content = r.GetString(o + 6), Metadata = r.NullableString(o + 7),
        CreatedAt = r.GetInt64(o + 8),
    };

    public static Task<Message?> BySenderAsync(ParleyDb db, string senderId, string clientMsgId, CancellationToken ct) =>
        Sql.SingleOrDefaultAsync(db, $"SELECT {Columns} FROM messages m WHERE m.sender_id = @p0 AND m.client_msg_id = @p1",
            r => Read(r), ct, senderId, clientMsgId);

    public const string ConversationColumns = "c.id, c.kind, c.agent_a, c.agent_b, c.initiator_id, c.established, c.last_seq, c.last_message_at, c.created_at";

    public static Conversation ReadConversation(DbDataReader r, int o = 0) => new()
    {
        Id = r.GetString(o), Kind = r.GetString(o + 1), AgentA = r.NullableString(o + 2), AgentB = r.NullableString(o + 3),
        InitiatorId = r.NullableString(o + 4), Established = r.Boolean(o + 5), LastSeq = r.GetInt64(o + 6), LastMessageAt = r.GetInt64(o + 7),
        CreatedAt = r.GetInt64(o + 8),
    };

    /// <summary><c>@p0, @p1, …</c> for an <c>IN</c> list starting at parameter <paramref name="first"/>.</summary>
    public static string Parameters(int count, int first = 0) =>
        string.Join(", ", Enumerable.Range(first, count).Select(i => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
