using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Rooms.Membership;

internal static class RoomStatus
{
    public const string Active = "active";
    public const string Paused = "paused";
    public const string Stopped = "stopped";
    public const string Archived = "archived";

    public static readonly string[] All = [Active, Paused, Stopped, Archived];
}

internal static class RoomKind
{
    public const string SingleOwner = "single_owner";
    public const string CrossOwner = "cross_owner";
}

internal static class MemberKind
{
    public const string Agent = "agent";
    public const string Account = "account";
}

internal static class RoomRole
{
    public const string Admin = "admin";
    public const string Member = "member";
}

/// <summary>
/// A room. <see cref="LastSeq"/> numbers its messages (taken with <c>UPDATE … RETURNING</c> in the posting transaction).
/// <see cref="PausedAt"/> is set while the room is paused, so lease clocks can be moved forward on resume.
/// </summary>
internal sealed class Room
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string? Topic { get; set; }
    public required string Status { get; set; }
    public required string Kind { get; set; }
    public required string OwnerWorkspaceId { get; set; }

    /// <summary>A principal key: <c>agent:agt_…</c> or <c>account:acct_…</c>.</summary>
    public required string CreatedBy { get; set; }

    public long? PausedAt { get; set; }
    public long LastSeq { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>
/// A person (<see cref="MemberKind.Account"/>, role admin or member) or an agent in a room. <see cref="WorkspaceId"/>
/// is the workspace the member comes from: an agent's owner workspace, the room's workspace for its own people, the
/// invited agent's workspace for the owner who accepted an invite, null for a person invited by email.
/// </summary>
internal sealed class RoomMember
{
    public required string RoomId { get; set; }
    public required string MemberId { get; set; }
    public required string Kind { get; set; }
    public required string Role { get; set; }
    public string? WorkspaceId { get; set; }
    public required string AddedBy { get; set; }
    public long JoinedAt { get; set; }
}

/// <summary>A workspace's consent that its agents act across owners in a room; withdrawn, it keeps its row.</summary>
internal sealed class RoomGrant
{
    public required string RoomId { get; set; }
    public required string WorkspaceId { get; set; }
    public required string GrantedBy { get; set; }
    public long GrantedAt { get; set; }
    public long? RevokedAt { get; set; }
}

internal static class ConsentMode
{
    public const string TaskByTask = "task_by_task";
    public const string ApproveAll = "approve_all";
    public const string TrustCollaborator = "trust_collaborator";
    public const string TrustRoom = "trust_room";
}

/// <summary>How a workspace decides cross-owner tasks for its agents in one room (absent: <c>task_by_task</c>).</summary>
internal sealed class RoomConsent
{
    public required string RoomId { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Mode { get; set; }
    public string? CollaboratorWorkspaceId { get; set; }
    public required string UpdatedBy { get; set; }
    public long UpdatedAt { get; set; }
}

internal static class InviteKind
{
    public const string AgentPlate = "agent_plate";
    public const string HumanEmail = "human_email";
}

internal static class InviteStatus
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Declined = "declined";
}

/// <summary>
/// An invitation into a room: for an agent (accepted by its owner) or for a person by email (accepted only by an
/// account with that verified email). One-time; it expires.
/// </summary>
internal sealed class RoomInvite
{
    public required string Id { get; set; }
    public required string RoomId { get; set; }
    public required string Kind { get; set; }

    /// <summary>The invited agent's plate, or the normalised email.</summary>
    public required string Target { get; set; }

    public string? TargetAgentId { get; set; }
    public required string Status { get; set; }
    public required string InvitedBy { get; set; }
    public string? DecidedBy { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
    public long? DecidedAt { get; set; }
}

internal sealed class RoomConfiguration :
    IEntityTypeConfiguration<Room>, IEntityTypeConfiguration<RoomMember>, IEntityTypeConfiguration<RoomGrant>,
    IEntityTypeConfiguration<RoomConsent>, IEntityTypeConfiguration<RoomInvite>
{
    public void Configure(EntityTypeBuilder<Room> builder)
    {
        builder.ToTable("rooms");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => r.OwnerWorkspaceId);
    }

    public void Configure(EntityTypeBuilder<RoomMember> builder)
    {
        builder.ToTable("room_members");
        builder.HasKey(m => new { m.RoomId, m.MemberId });
        builder.HasIndex(m => m.MemberId);
    }

    public void Configure(EntityTypeBuilder<RoomGrant> builder)
    {
        builder.ToTable("room_grants");
        builder.HasKey(g => new { g.RoomId, g.WorkspaceId });
    }

    public void Configure(EntityTypeBuilder<RoomConsent> builder)
    {
        builder.ToTable("room_consents");
        builder.HasKey(c => new { c.RoomId, c.WorkspaceId });
    }

    public void Configure(EntityTypeBuilder<RoomInvite> builder)
    {
        builder.ToTable("room_invites");
        builder.HasKey(i => i.Id);
        builder.HasIndex(i => new { i.Target, i.Status });
        builder.HasIndex(i => i.RoomId);
        builder.HasIndex(i => i.ExpiresAt);
    }
}
