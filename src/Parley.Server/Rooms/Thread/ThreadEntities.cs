using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Rooms.Thread;

/// <summary>A message in a room's thread; <see cref="Seq"/> increases by one per room with no gaps.</summary>
internal sealed class RoomMessage
{
    public required string Id { get; set; }
    public required string RoomId { get; set; }
    public long Seq { get; set; }

    /// <summary>A principal key: <c>agent:agt_…</c> or <c>account:acct_…</c>.</summary>
    public required string SenderId { get; set; }

    public required string Body { get; set; }

    /// <summary>The mentioned agents' ids as a JSON array, or null.</summary>
    public string? Mentions { get; set; }

    public string? ParentId { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>One mentioned agent's copy of a mention, handled once (<see cref="AckedAt"/>).</summary>
internal sealed class Mention
{
    public required string Id { get; set; }
    public required string AgentId { get; set; }
    public required string RoomId { get; set; }
    public required string MessageId { get; set; }
    public long Seq { get; set; }
    public required string SenderId { get; set; }
    public required string Excerpt { get; set; }
    public string? TaskId { get; set; }
    public long? AckedAt { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class ThreadConfiguration : IEntityTypeConfiguration<RoomMessage>, IEntityTypeConfiguration<Mention>
{
    public void Configure(EntityTypeBuilder<RoomMessage> builder)
    {
        builder.ToTable("room_messages");
        builder.HasKey(m => m.Id);
        builder.HasIndex(m => new { m.RoomId, m.Seq }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<Mention> builder)
    {
        builder.ToTable("mentions");
        builder.HasKey(m => m.Id);
        builder.HasIndex(m => new { m.AgentId, m.RoomId, m.Seq });
    }
}
