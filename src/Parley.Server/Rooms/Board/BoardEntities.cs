using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Rooms.Board;

internal static class TaskState
{
    public const string Todo = "todo";
    public const string Doing = "doing";
    public const string Done = "done";
    public const string Blocked = "blocked";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [Todo, Doing, Done, Blocked, Failed, Cancelled];

    /// <summary>Finished for good: claims answer <c>CONFLICT</c>.</summary>
    public static bool IsFinal(string status) => status is Done or Failed or Cancelled;
}

internal static class TaskConsent
{
    public const string Auto = "auto";
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
}

/// <summary>
/// A task on a room's board. A live lease is the holder pair (<see cref="HolderId"/>, <see cref="HolderInstance"/>)
/// with the SHA-256 of its claim token, an expiry and the end of its grace period; <see cref="Generation"/> goes up
/// whenever a lease starts or ends, so a token of an earlier lease can never act again.
/// </summary>
internal sealed class RoomTask
{
    public required string Id { get; set; }
    public required string RoomId { get; set; }
    public required string Title { get; set; }
    public string? Detail { get; set; }
    public string? DefinitionOfDone { get; set; }
    public string? AssigneeId { get; set; }
    public required string Status { get; set; }
    public required string Consent { get; set; }
    public long Position { get; set; }
    public long Generation { get; set; }

    public string? HolderId { get; set; }
    public string? HolderInstance { get; set; }
    public byte[]? ClaimTokenHash { get; set; }
    public int LeaseTtlSeconds { get; set; }
    public long? ExpiresAt { get; set; }
    public long? GraceUntil { get; set; }

    /// <summary>The reported result as JSON (<c>{summary, result_ref, artifacts, next}</c>), or null.</summary>
    public string? Result { get; set; }

    public required string CreatedBy { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

internal static class TaskEventType
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Claimed = "claimed";
    public const string Renewed = "renewed";
    public const string Released = "released";
    public const string Lapsed = "lapsed";
    public const string StatusChanged = "status_changed";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public const string StaleRejected = "stale_rejected";
}

/// <summary>One entry of a task's append-only log.</summary>
internal sealed class TaskEvent
{
    public required string Id { get; set; }
    public required string TaskId { get; set; }
    public required string RoomId { get; set; }
    public required string Type { get; set; }

    /// <summary>A principal key, or null for the server itself (a lapse).</summary>
    public string? ActorId { get; set; }

    public string? Details { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class BoardConfiguration : IEntityTypeConfiguration<RoomTask>, IEntityTypeConfiguration<TaskEvent>
{
    public void Configure(EntityTypeBuilder<RoomTask> builder)
    {
        builder.ToTable("tasks");
        builder.HasKey(t => t.Id);
        builder.HasIndex(t => new { t.RoomId, t.Position });
        builder.HasIndex(t => t.GraceUntil);
        builder.HasIndex(t => t.AssigneeId);
        builder.HasIndex(t => t.HolderId);
    }

    public void Configure(EntityTypeBuilder<TaskEvent> builder)
    {
        builder.ToTable("task_events");
        builder.HasKey(e => e.Id);
        builder.HasIndex(e => e.TaskId);
    }
}
