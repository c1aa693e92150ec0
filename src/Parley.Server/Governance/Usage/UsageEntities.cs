using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Governance.Usage;

/// <summary>
/// Part of a workspace's count of one meter on one day (<c>yyyy-MM-dd</c>, UTC). A meter's count for a day is the sum
/// over its shards, for a month the sum over the month's days. A metered action without a quota adds to a random shard,
/// so one workspace's concurrent actions do not queue on one row until they commit; one with a quota adds to shard 0
/// under the quota's lock (<see cref="Quotas"/>).
/// </summary>
internal sealed class UsageDay
{
    public required string WorkspaceId { get; set; }
    public required string Meter { get; set; }
    public required string Day { get; set; }
    public int Shard { get; set; }
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

internal sealed class UsageDayConfiguration : IEntityTypeConfiguration<UsageDay>
{
    public void Configure(EntityTypeBuilder<UsageDay> builder)
    {
        builder.ToTable("usage_days");
        builder.HasKey(u => new { u.WorkspaceId, u.Meter, u.Day, u.Shard });
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
