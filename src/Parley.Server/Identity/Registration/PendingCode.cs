using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Identity.Registration;

internal static class CodePurpose
{
    public const string Register = "register";
    public const string Recover = "recover";
    public const string Rotate = "rotate";
    public const string VerifyEmail = "verify_email";
    public const string PasswordReset = "password_reset";
}

/// <summary>
/// A one-time code in flight: a pending registration, recovery, key rotation, email verification or password reset.
/// The code is kept only as an HMAC under a key derived from the master key. One live entry per email and purpose.
/// </summary>
internal sealed class PendingCode
{
    public required string Id { get; set; }
    public required string Purpose { get; set; }
    public required string Email { get; set; }
    public required byte[] CodeHash { get; set; }
    public int Attempts { get; set; }

    /// <summary>What the code unlocks (the registration's handle and profile, the agent or account id), as JSON.</summary>
    public required string Payload { get; set; }

    /// <summary>False when the email is unknown: the answer looks the same, but no code can ever match.</summary>
    public bool Deliverable { get; set; }

    public bool Consumed { get; set; }
    public long ExpiresAt { get; set; }
    public long CreatedAt { get; set; }
    public long LastSentAt { get; set; }
}

internal sealed class PendingCodeConfiguration : IEntityTypeConfiguration<PendingCode>
{
    public void Configure(EntityTypeBuilder<PendingCode> builder)
    {
        builder.ToTable("pending_codes");
        builder.HasKey(p => p.Id);
        builder.HasIndex(p => new { p.Email, p.Purpose });
    }
}
