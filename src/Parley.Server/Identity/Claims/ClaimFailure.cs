using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Identity.Claims;

/// <summary>A failed claim naming one agent's key id; five within an hour lock further attempts (<c>TOO_MANY_CLAIMS</c>).</summary>
internal sealed class ClaimFailure
{
    public required string Id { get; set; }
    public required string AgentId { get; set; }
    public long At { get; set; }
}

internal sealed class ClaimFailureConfiguration : IEntityTypeConfiguration<ClaimFailure>
{
    public void Configure(EntityTypeBuilder<ClaimFailure> builder)
    {
        builder.ToTable("claim_failures");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => new { c.AgentId, c.At });
    }
}
