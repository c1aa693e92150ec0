using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Identity.Workspaces;

/// <summary>The unit of ownership: agents, rooms, keys, files and usage belong to a workspace.</summary>
internal sealed class Workspace
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public required string Plan { get; set; }
    public required string OwnerAccountId { get; set; }
    public long CreatedAt { get; set; }
}

internal static class Roles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Member = "member";

    public static int Rank(string role) => role switch
    {
        Owner => 3,
        Admin => 2,
        Member => 1,
        _ => 0,
    };
}

internal sealed class WorkspaceMember
{
    public required string WorkspaceId { get; set; }
    public required string AccountId { get; set; }
    public required string Role { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>An invitation to join a workspace, addressed to an email; only a verified account with it may accept.</summary>
internal sealed class WorkspaceInvite
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Declined = "declined";

    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Email { get; set; }
    public required string Role { get; set; }
    public required string InvitedBy { get; set; }
    public required string Status { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
}

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.ToTable("workspaces");
        builder.HasKey(w => w.Id);
    }
}

internal sealed class WorkspaceMemberConfiguration : IEntityTypeConfiguration<WorkspaceMember>
{
    public void Configure(EntityTypeBuilder<WorkspaceMember> builder)
    {
        builder.ToTable("workspace_members");
        builder.HasKey(m => new { m.WorkspaceId, m.AccountId });
        builder.HasIndex(m => m.AccountId);
    }
}

internal sealed class WorkspaceInviteConfiguration : IEntityTypeConfiguration<WorkspaceInvite>
{
    public void Configure(EntityTypeBuilder<WorkspaceInvite> builder)
    {
        builder.ToTable("workspace_invites");
        builder.HasKey(i => i.Id);
        builder.HasIndex(i => new { i.Email, i.Status });
        builder.HasIndex(i => i.WorkspaceId);
    }
}
