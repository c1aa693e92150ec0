using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Platform.Jobs;

/// <summary>Which node runs a background job now, and when it last ran, shared by all nodes through the database.</summary>
internal sealed class JobLease
{
    public required string Name { get; set; }
    public required string Holder { get; set; }
    public long LeaseUntil { get; set; }
    public long LastRunAt { get; set; }
}

internal sealed class JobLeaseConfiguration : IEntityTypeConfiguration<JobLease>
{
    public void Configure(EntityTypeBuilder<JobLease> builder)
    {
        builder.ToTable("job_leases");
        builder.HasKey(j => j.Name);
    }
}
