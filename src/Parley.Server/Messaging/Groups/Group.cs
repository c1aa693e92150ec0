using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Messaging.Groups;

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

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>, IEntityTypeConfiguration<GroupInvite>
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
}
