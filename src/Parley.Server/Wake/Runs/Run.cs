using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Wake.Runs;

/// <summary>
/// The record of one wake: who asked, why, where it ran, how it ended. At most one run of an agent is active
/// (queued, dispatched, running or cancelling): the starting transaction holds <c>LockKeys.AgentRuns</c>, and a partial
/// unique index on <c>agent_id</c> over the active states is the database's own guard.
/// </summary>
internal sealed class Run
{
    public required string Id { get; set; }
    public required string AgentId { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Reason { get; set; }
    public required string Status { get; set; }
    public string? FailureReason { get; set; }
    public int? ExitCode { get; set; }
    public string? Summary { get; set; }
    public string? OutputTail { get; set; }
    public string? RoomId { get; set; }
    public string? TaskId { get; set; }
    public string? MentionId { get; set; }
    public string? MessageId { get; set; }
    public string? HookId { get; set; }
    public string? ScheduleId { get; set; }

    /// <summary>JSON, as given.</summary>
    public string? Input { get; set; }

    /// <summary>The wake prompt its cause composed (a trigger's template); null composes one from the reason and input.</summary>
    public string? Prompt { get; set; }

    public bool CrossOwner { get; set; }
    public bool Constrained { get; set; }
    public string? DeviceId { get; set; }

    /// <summary>The wake sent to <see cref="DeviceId"/> (the envelope's <c>jti</c>), resent until the listener acknowledges it.</summary>
    public string? WakeId { get; set; }

    public long? WakeAckedAt { get; set; }

    /// <summary>When the run's passport expires; a heartbeat within 5 minutes of it gets a new one.</summary>
    public long? PassportExpiresAt { get; set; }

    /// <summary>Who asked, as a principal key (<c>account:acct_…</c>, <c>agent:agt_…</c>).</summary>
    public required string RequestedBy { get; set; }

    /// <summary>The credits reserved for the run's minutes (a ledger entry id), settled when it ends.</summary>
    public string? CreditReservation { get; set; }

    public long CreatedAt { get; set; }
    public long? DispatchedAt { get; set; }
    public long? StartedAt { get; set; }
    public long? HeartbeatAt { get; set; }
    public long? EndedAt { get; set; }
}

internal sealed class RunConfiguration : IEntityTypeConfiguration<Run>
{
    /// <summary>The active states, as SQL for the partial unique index (the same on SQLite and PostgreSQL).</summary>
    public const string ActiveFilter = "status IN ('queued', 'dispatched', 'running', 'cancelling')";

    public void Configure(EntityTypeBuilder<Run> builder)
    {
        builder.ToTable("runs");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => r.AgentId).IsUnique().HasFilter(ActiveFilter).HasDatabaseName("IX_runs_agent_id_active");
        builder.HasIndex(r => new { r.WorkspaceId, r.Id });
        builder.HasIndex(r => new { r.Status, r.CreatedAt });
        builder.HasIndex(r => new { r.DeviceId, r.Status });
    }
}
