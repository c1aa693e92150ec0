using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Identity.Owners;

/// <summary>A person who owns agents. The email is stored lower-cased; the password only as a slow salted hash.</summary>
internal sealed class Account
{
    public required string Id { get; set; }
    public required string Email { get; set; }
    public required string Name { get; set; }
    public required string PasswordHash { get; set; }
    public bool EmailVerified { get; set; }
    public string? TermsAccepted { get; set; }

    /// <summary>Monotonic creation order; the first account is the instance admin when <c>Admin:Emails</c> is unset.</summary>
    public long CreatedAt { get; set; }
}

/// <summary>
/// A signed-in session: access tokens name it (<c>sid</c>), so signing out revokes them at once. The refresh token
/// rotates on every use; the previous one stays good for 10 s and then returns the same new pair (sealed here), so
/// two concurrent refreshes do not log the user out. Any older token revokes the whole session.
/// </summary>
internal sealed class Session
{
    public required string Id { get; set; }
    public required string AccountId { get; set; }
    public required byte[] RefreshHash { get; set; }
    public byte[]? PreviousRefreshHash { get; set; }
    public long RotatedAt { get; set; }
    public byte[]? GraceResponse { get; set; }
    public long ExpiresAt { get; set; }
    public long? RevokedAt { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>An owner's automation token, <c>prl_pat_&lt;id&gt;_&lt;secret&gt;</c>; acts as the owner.</summary>
internal sealed class PersonalAccessToken
{
    public required string Id { get; set; }
    public required string AccountId { get; set; }
    public required string Name { get; set; }
    public required byte[] SecretHash { get; set; }
    public required string Last4 { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
    public long? LastUsedAt { get; set; }
}

internal sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> builder)
    {
        builder.ToTable("accounts");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => a.Email).IsUnique();
    }
}

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> builder)
    {
        builder.ToTable("sessions");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.AccountId);
    }
}

internal sealed class PersonalAccessTokenConfiguration : IEntityTypeConfiguration<PersonalAccessToken>
{
    public void Configure(EntityTypeBuilder<PersonalAccessToken> builder)
    {
        builder.ToTable("personal_access_tokens");
        builder.HasKey(t => t.Id);
        builder.HasIndex(t => t.AccountId);
    }
}
