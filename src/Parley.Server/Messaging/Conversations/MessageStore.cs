using System.Data.Common;
using Parley.Server.Data;
using Parley.Server.Platform;

namespace Parley.Server.Messaging.Conversations;

/// <summary>
/// The one store of messages, for direct conversations and groups alike. A message takes its conversation's next
/// <c>seq</c> with <c>UPDATE … RETURNING</c> inside the sender's transaction, so sequences have no gaps and no
/// duplicates. Plain SQL: every send runs through here (deliveries are <see cref="Deliveries.FanOut"/>'s).
/// </summary>
internal sealed class MessageStore(Writes writes, Ids ids, TimeProvider time)
{
    /// <summary>The message columns as <c>m_&lt;column&gt;</c> (alias <c>m</c>).</summary>
    public static readonly string Columns = Sql.Select("m",
        ["id", "conversation_id", "seq", "sender_id", "client_msg_id", "type", "content", "metadata", "created_at"]);

    public static Message Read(DbDataReader r) => new()
    {
        Id = r.Text("m_id"), ConversationId = r.Text("m_conversation_id"), Seq = r.Int64("m_seq"), SenderId = r.Text("m_sender_id"),
        ClientMsgId = r.Text("m_client_msg_id"), Type = r.Text("m_type"), Content = r.Text("m_content"), Metadata = r.TextOrNull("m_metadata"),
        CreatedAt = r.Int64("m_created_at"),
    };

    /// <summary>The conversation columns as <c>c_&lt;column&gt;</c> (alias <c>c</c>).</summary>
    private static readonly string ConversationColumns = Sql.Select("c",
        ["id", "kind", "agent_a", "agent_b", "initiator_id", "established", "last_seq", "last_message_at", "created_at"]);

    private static Conversation ReadConversation(DbDataReader r) => new()
    {
        Id = r.Text("c_id"), Kind = r.Text("c_kind"), AgentA = r.TextOrNull("c_agent_a"), AgentB = r.TextOrNull("c_agent_b"),
        InitiatorId = r.TextOrNull("c_initiator_id"), Established = r.Flag("c_established"), LastSeq = r.Int64("c_last_seq"),
        LastMessageAt = r.Int64("c_last_message_at"), CreatedAt = r.Int64("c_created_at"),
    };

    private ParleyDb Db => writes.Db;

    /// <summary>The message a sender stored with this <c>client_msg_id</c>, if any.</summary>
    public async Task<Message?> BySenderAsync(string senderId, string clientMsgId, CancellationToken ct) =>
        (await Sql.QueryAsync(Db, BySender(senderId, clientMsgId), ct)).SingleOrDefault();

    /// <summary><see cref="BySenderAsync"/> as a statement of a batch.</summary>
    public static SqlQuery<Message> BySender(string senderId, string clientMsgId) =>
        new($"SELECT {Columns} FROM messages m WHERE m.sender_id = @p0 AND m.client_msg_id = @p1", Read, senderId, clientMsgId);

    /// <summary>The direct conversation of this pair (ids in ordinal order), if they have one: a statement of a batch.</summary>
    public static SqlQuery<Conversation> Pair(string first, string second) =>
        new($"SELECT {ConversationColumns} FROM conversations c WHERE c.agent_a = @p0 AND c.agent_b = @p1", ReadConversation, first, second);

    /// <summary>A direct conversation the agent takes part in: a statement of a batch.</summary>
    public static SqlQuery<Conversation> DirectOf(string? conversationId, string agentId) =>
        new($"SELECT {ConversationColumns} FROM conversations c WHERE c.id = @p0 AND c.kind = 'direct' AND (c.agent_a = @p1 OR c.agent_b = @p1)",
            ReadConversation, conversationId, agentId);

    /// <summary>
    /// Takes the conversation's next seq and stores a message (its deliveries are the caller's), in one round trip: the
    /// insert reads the seq the update just took, inside the same transaction.
    /// </summary>
    public async Task<Message> AppendAsync(string conversationId, string senderId, string type, string content, string? metadata, string clientMsgId,
        CancellationToken c)
    {
        var append = PrepareAppend(conversationId, senderId, type, content, metadata, clientMsgId);
        await Sql.BatchAsync(Db, c, [.. append.Statements]);
        return append.Complete();
    }

    /// <summary><see cref="AppendAsync"/> as statements for the caller's batch; <see cref="PendingAppend.Complete"/> after it ran.</summary>
    public PendingAppend PrepareAppend(string conversationId, string senderId, string type, string content, string? metadata, string clientMsgId)
    {
        var now = time.NowMs();
        var message = new Message
        {
            Id = ids.New("msg"), ConversationId = conversationId, SenderId = senderId, ClientMsgId = clientMsgId,
            Type = type, Content = content, Metadata = metadata, CreatedAt = now,
        };
        var inserted = new SqlQuery<long>(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, type, content, metadata, created_at) " +
            "VALUES (@p0, @p1, (SELECT last_seq FROM conversations WHERE id = @p1), @p2, @p3, @p4, @p5, @p6, @p7) RETURNING seq",
            r => r.Int64("seq"), message.Id, message.ConversationId, message.SenderId, message.ClientMsgId, message.Type, message.Content, message.Metadata, message.CreatedAt);
        return new PendingAppend(message,
            new SqlStatement("UPDATE conversations SET last_seq = last_seq + 1, last_message_at = @p1 WHERE id = @p0", conversationId, now), inserted);
    }

    /// <summary>Marks a conversation established (its recipient replied).</summary>
    public Task EstablishAsync(string conversationId, CancellationToken c) =>
        Sql.ExecuteAsync(Db, "UPDATE conversations SET established = @p1 WHERE id = @p0", c, conversationId, true);
}

/// <summary>A message on its way into the store: its statements (the seq, then the row), and the message once they ran.</summary>
internal sealed class PendingAppend(Message message, SqlStatement takeSeq, SqlQuery<long> insert)
{
    /// <summary>The message; its <c>Seq</c> is set by <see cref="Complete"/>.</summary>
    public Message Message => message;

    public IEnumerable<SqlStatement> Statements => [takeSeq, insert];

    public Message Complete()
    {
        message.Seq = insert.Rows.Single();
        return message;
    }
}
