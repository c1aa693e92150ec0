using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Identity.Auth;

/// <summary>A JWT signing key (ES256) shared by every node; the private part is sealed under the master key.</summary>
internal sealed class SigningKey
{
    public required string Id { get; set; }
    public required byte[] PrivateKey { get; set; }
    public required string PublicJwk { get; set; }
    public bool Active { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class SigningKeyConfiguration : IEntityTypeConfiguration<SigningKey>
{
    public void Configure(EntityTypeBuilder<SigningKey> builder)
    {
        builder.ToTable("signing_keys");
        builder.HasKey(k => k.Id);
    }
}
