using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Platform.Idempotency;

/// <summary>
/// One <c>Idempotency-Key</c> of one caller. <c>running</c> while the first request is in flight (its lock lapses at
/// <see cref="LockedUntil"/>), <c>done</c> once the response is stored, sealed under the master key.
/// </summary>
internal sealed class IdempotencyRecord
{
    public const string Running = "running";
    public const string Done = "done";

    public required string Scope { get; set; }
    public required string Key { get; set; }
    public required string Fingerprint { get; set; }
    public required string State { get; set; }

    /// <summary>Which request holds a running key; only that request may complete or release it.</summary>
    public string? ClaimId { get; set; }
    public long LockedUntil { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
    public int? ResponseStatus { get; set; }
    public byte[]? Response { get; set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_records");
        builder.HasKey(r => new { r.Scope, r.Key });
        builder.HasIndex(r => r.ExpiresAt);
    }
}
