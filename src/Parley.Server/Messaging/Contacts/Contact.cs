using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Messaging.Contacts;

internal sealed class Contact
{
    public required string OwnerId { get; set; }
    public required string ContactId { get; set; }
    public string? Notes { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class Block
{
    public required string BlockerId { get; set; }
    public required string BlockedId { get; set; }
    public long CreatedAt { get; set; }
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

/// <summary>An agent's stated presence (<c>PUT /v1/presence</c>); an open socket anywhere also makes it online.</summary>
internal sealed class Presence
{
    public required string AgentId { get; set; }
    public required string Status { get; set; }
    public string? CustomMessage { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>Automatic enforcement's own mark, so a restriction it set can lift by itself (an admin's never does).</summary>
internal sealed class EnforcementState
{
    public required string AgentId { get; set; }
    public bool AutoRestricted { get; set; }
    public long UpdatedAt { get; set; }
}

internal sealed class ContactConfiguration :
    IEntityTypeConfiguration<Contact>, IEntityTypeConfiguration<Block>, IEntityTypeConfiguration<Mute>, IEntityTypeConfiguration<Report>,
    IEntityTypeConfiguration<Presence>, IEntityTypeConfiguration<EnforcementState>
{
    public void Configure(EntityTypeBuilder<Contact> builder)
    {
        builder.ToTable("contacts");
        builder.HasKey(c => new { c.OwnerId, c.ContactId });
    }

    public void Configure(EntityTypeBuilder<Block> builder)
    {
        builder.ToTable("blocks");
        builder.HasKey(b => new { b.BlockerId, b.BlockedId });
        builder.HasIndex(b => b.BlockedId);
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

    public void Configure(EntityTypeBuilder<EnforcementState> builder)
    {
        builder.ToTable("enforcement_states");
        builder.HasKey(e => e.AgentId);
    }
}
