using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Messaging;

/// <summary>A group's own fields; its conversation row (same id, <c>grp_…</c>) holds the sequence.</summary>
internal sealed class Group
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public required string CreatorId { get; set; }
    public long CreatedAt { get; set; }
    public long? DeletedAt { get; set; }
    public string? DeletedBy { get; set; }
}

/// <summary>
/// Every add of one agent to a group by another: <c>joined</c> at once (the target had the adder in its contacts) or
/// <c>pending</c> until the target accepts. The rows also count an adder's 50 adds and invites per 24 hours.
/// </summary>
internal sealed class GroupInvite
{
    public const string Joined = "joined";
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
    public const string Cancelled = "cancelled";

    public required string Id { get; set; }
    public required string GroupId { get; set; }
    public required string AgentId { get; set; }
    public required string InvitedBy { get; set; }
    public required string Status { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>Which conversation a message carried an attachment into: its participants may download it.</summary>
internal sealed class MessageAttachment
{
    public required string MessageId { get; set; }
    public required string FileId { get; set; }
    public required string ConversationId { get; set; }
    public long Seq { get; set; }
}

internal sealed class Mute
{
    public required string Id { get; set; }
    public required string AgentId { get; set; }
    public string? MutedAgentId { get; set; }
    public string? ConversationId { get; set; }
    public long? MutedUntil { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class Report
{
    public required string ReporterId { get; set; }
    public required string ReportedId { get; set; }
    public string? Reason { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>An agent's stated presence (<c>PUT /v1/presence</c>); an open WebSocket anywhere also makes it online.</summary>
internal sealed class Presence
{
    public required string AgentId { get; set; }
    public required string Status { get; set; }
    public string? CustomMessage { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>A live WebSocket, per node; the node refreshes <see cref="SeenAt"/> of its rows, so a dead node's rows go stale.</summary>
internal sealed class SocketSession
{
    public required string Id { get; set; }
    public required string AgentId { get; set; }
    public required string NodeId { get; set; }
    public long SeenAt { get; set; }
}

/// <summary>Automatic enforcement's own mark, so a restriction it set can lift by itself (an admin's never does).</summary>
internal sealed class EnforcementState
{
    public required string AgentId { get; set; }
    public bool AutoRestricted { get; set; }
    public long UpdatedAt { get; set; }
}

internal sealed class GroupConfiguration :
    IEntityTypeConfiguration<Group>, IEntityTypeConfiguration<GroupInvite>, IEntityTypeConfiguration<MessageAttachment>,
    IEntityTypeConfiguration<Mute>, IEntityTypeConfiguration<Report>, IEntityTypeConfiguration<Presence>,
    IEntityTypeConfiguration<SocketSession>, IEntityTypeConfiguration<EnforcementState>
{
    public void Configure(EntityTypeBuilder<Group> builder)
    {
        builder.ToTable("groups");
        builder.HasKey(g => g.Id);
    }

    public void Configure(EntityTypeBuilder<GroupInvite> builder)
    {
        builder.ToTable("group_invites");
        builder.HasKey(i => i.Id);
        builder.HasIndex(i => new { i.AgentId, i.Status });
        builder.HasIndex(i => new { i.InvitedBy, i.CreatedAt });
        builder.HasIndex(i => new { i.GroupId, i.Status });
    }

    public void Configure(EntityTypeBuilder<MessageAttachment> builder)
    {
        builder.ToTable("message_attachments");
        builder.HasKey(a => new { a.MessageId, a.FileId });
        builder.HasIndex(a => a.FileId);
    }

    public void Configure(EntityTypeBuilder<Mute> builder)
    {
        builder.ToTable("mutes");
        builder.HasKey(m => m.Id);
        builder.HasIndex(m => m.AgentId);
    }

    public void Configure(EntityTypeBuilder<Report> builder)
    {
        builder.ToTable("reports");
        builder.HasKey(r => new { r.ReporterId, r.ReportedId });
        builder.HasIndex(r => new { r.ReportedId, r.CreatedAt });
    }

    public void Configure(EntityTypeBuilder<Presence> builder)
    {
        builder.ToTable("presence");
        builder.HasKey(p => p.AgentId);
    }

    public void Configure(EntityTypeBuilder<SocketSession> builder)
    {
        builder.ToTable("socket_sessions");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.AgentId);
        builder.HasIndex(s => s.NodeId);
    }

    public void Configure(EntityTypeBuilder<EnforcementState> builder)
    {
        builder.ToTable("enforcement_states");
        builder.HasKey(e => e.AgentId);
    }
}
