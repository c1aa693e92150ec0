using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Governance.Usage;

/// <summary>A workspace's count of one meter in one calendar month (UTC), <c>period</c> = <c>yyyy-MM</c>.</summary>
internal sealed class UsageCounter
{
    public required string WorkspaceId { get; set; }
    public required string Meter { get; set; }
    public required string Period { get; set; }
    public long Count { get; set; }
}

/// <summary>The same count by day (<c>yyyy-MM-dd</c>, UTC), for charts.</summary>
internal sealed class UsageDay
{
    public required string WorkspaceId { get; set; }
    public required string Meter { get; set; }
    public required string Day { get; set; }
    public long Count { get; set; }
}

/// <summary>
/// A <c>usage.threshold</c> event: the meter reached <c>percent</c> of its quota in the period. One row per meter,
/// threshold and period, so the event (and its email) happens once; the owner event stream reads these.
/// </summary>
internal sealed class UsageThreshold
{
    public required string WorkspaceId { get; set; }
    public required string Meter { get; set; }
    public required string Period { get; set; }
    public int Percent { get; set; }
    public long Count { get; set; }
    public long Quota { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class UsageCounterConfiguration : IEntityTypeConfiguration<UsageCounter>
{
    public void Configure(EntityTypeBuilder<UsageCounter> builder)
    {
        builder.ToTable("usage_counters");
        builder.HasKey(u => new { u.WorkspaceId, u.Meter, u.Period });
    }
}

internal sealed class UsageDayConfiguration : IEntityTypeConfiguration<UsageDay>
{
    public void Configure(EntityTypeBuilder<UsageDay> builder)
    {
        builder.ToTable("usage_days");
        builder.HasKey(u => new { u.WorkspaceId, u.Meter, u.Day });
    }
}

internal sealed class UsageThresholdConfiguration : IEntityTypeConfiguration<UsageThreshold>
{
    public void Configure(EntityTypeBuilder<UsageThreshold> builder)
    {
        builder.ToTable("usage_thresholds");
        builder.HasKey(u => new { u.WorkspaceId, u.Meter, u.Period, u.Percent });
        builder.HasIndex(u => new { u.WorkspaceId, u.CreatedAt });
    }
}
