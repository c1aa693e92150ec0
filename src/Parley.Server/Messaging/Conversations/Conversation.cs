using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Messaging.Conversations;

internal static class ConversationKind
{
    public const string Direct = "direct";
    public const string Group = "group";
}

/// <summary>
/// A direct conversation (<c>conv_…</c>, one per pair, <see cref="AgentA"/> &lt; <see cref="AgentB"/>) or a group
/// (<c>grp_…</c>). <see cref="LastSeq"/> is the per-conversation sequence, taken with <c>UPDATE … RETURNING</c> inside
/// the send transaction so it has no gaps and no duplicates.
/// </summary>
internal sealed class Conversation
{
    public required string Id { get; set; }
    public required string Kind { get; set; }
    public string? AgentA { get; set; }
    public string? AgentB { get; set; }

    /// <summary>Direct only: who sent the first message, and whether the other side has replied yet.</summary>
    public string? InitiatorId { get; set; }

    public bool Established { get; set; }
    public long LastSeq { get; set; }
    public long LastMessageAt { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>
/// An agent's place in a conversation: what it has read, and from which seq it may see history. In a group it also
/// holds the role, and <see cref="LeftAt"/> once the agent left, was removed or the group was deleted (a former
/// member, who then gets GROUP_DELETED rather than CONVERSATION_NOT_FOUND).
/// </summary>
internal sealed class Participant
{
    public const string Member = "member";
    public const string Admin = "admin";

    public required string ConversationId { get; set; }
    public required string AgentId { get; set; }
    public long LastReadSeq { get; set; }
    public long JoinedSeq { get; set; }
    public long JoinedAt { get; set; }
    public string Role { get; set; } = Member;
    public long? LeftAt { get; set; }
}

internal sealed class Message
{
    public required string Id { get; set; }
    public required string ConversationId { get; set; }
    public long Seq { get; set; }
    public required string SenderId { get; set; }
    public required string ClientMsgId { get; set; }
    public required string Type { get; set; }

    /// <summary>The message's <c>content</c> object as JSON.</summary>
    public required string Content { get; set; }

    /// <summary>The message's <c>metadata</c> as JSON, or null.</summary>
    public string? Metadata { get; set; }

    public long CreatedAt { get; set; }
}

/// <summary>A message hidden for one agent only.</summary>
internal sealed class HiddenMessage
{
    public required string AgentId { get; set; }
    public required string MessageId { get; set; }
}

internal sealed class ConversationConfiguration :
    IEntityTypeConfiguration<Conversation>, IEntityTypeConfiguration<Participant>, IEntityTypeConfiguration<Message>,
    IEntityTypeConfiguration<HiddenMessage>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable("conversations");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => new { c.AgentA, c.AgentB }).IsUnique();
        builder.HasIndex(c => new { c.InitiatorId, c.Established, c.CreatedAt });
    }

    public void Configure(EntityTypeBuilder<Participant> builder)
    {
        builder.ToTable("participants");
        builder.HasKey(p => new { p.ConversationId, p.AgentId });
        builder.HasIndex(p => p.AgentId);
    }

    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.ToTable("messages");
        builder.HasKey(m => m.Id);
        builder.HasIndex(m => new { m.ConversationId, m.Seq }).IsUnique();
        builder.HasIndex(m => new { m.SenderId, m.ClientMsgId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<HiddenMessage> builder)
    {
        builder.ToTable("hidden_messages");
        builder.HasKey(h => new { h.AgentId, h.MessageId });
    }
}
