using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Wake.Schedules;

/// <summary>A cron schedule that starts runs of an agent (reason <c>schedule</c>), in its own time zone.</summary>
internal sealed class Schedule
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string AgentId { get; set; }

    /// <summary>Five fields, as Cronos parses them.</summary>
    public required string Cron { get; set; }

    /// <summary>An IANA time zone (<c>Europe/Paris</c>).</summary>
    public required string TimeZone { get; set; }

    public string? Input { get; set; }
    public bool Enabled { get; set; }

    /// <summary>The next occurrence, in Unix ms; null when disabled (or when the expression has no more).</summary>
    public long? NextRunAt { get; set; }

    public long? LastRunAt { get; set; }
    public required string CreatedBy { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

internal sealed class ScheduleConfiguration : IEntityTypeConfiguration<Schedule>
{
    public void Configure(EntityTypeBuilder<Schedule> builder)
    {
        builder.ToTable("schedules");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.AgentId);
        builder.HasIndex(s => s.NextRunAt);
    }
}
