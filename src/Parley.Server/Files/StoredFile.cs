using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Files;

/// <summary>
/// A file of the one store that message attachments and room files share. Its bytes live under its id, never under
/// a name a client chose. States: <c>pending_upload</c> → <c>uploaded</c> | <c>quarantined</c>; <c>deleted</c>.
/// </summary>
internal sealed class StoredFile
{
    public const string PendingUpload = "pending_upload";
    public const string Uploaded = "uploaded";
    public const string Quarantined = "quarantined";
    public const string Deleted = "deleted";

    public required string Id { get; set; }

    /// <summary>What the file belongs to: <c>attachment</c> or <c>room</c>.</summary>
    public required string Purpose { get; set; }

    /// <summary>Whose storage quota it counts against: <c>ws:&lt;id&gt;</c> or, for an unowned agent, <c>agent:&lt;id&gt;</c>.</summary>
    public required string QuotaOwner { get; set; }

    /// <summary>Who created it, as a principal key (<c>agent:agt_…</c>, <c>account:acct_…</c>).</summary>
    public required string CreatedBy { get; set; }

    public string? Filename { get; set; }
    public required string ContentType { get; set; }
    public long SizeBytes { get; set; }

    /// <summary>The declared SHA-256, lower-case hex.</summary>
    public required string Sha256 { get; set; }

    public required string Status { get; set; }

    /// <summary>Set while a PUT to the signed URL is receiving bytes: the URL is single use.</summary>
    public bool UploadClaimed { get; set; }

    public long UploadExpiresAt { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> builder)
    {
        builder.ToTable("files");
        builder.HasKey(f => f.Id);
        builder.HasIndex(f => new { f.QuotaOwner, f.Status });
        builder.HasIndex(f => new { f.Status, f.UpdatedAt });
    }
}
