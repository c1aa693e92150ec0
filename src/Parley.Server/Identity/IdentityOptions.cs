namespace Parley.Server.Identity;

/// <summary>Identity's configuration: <c>Admin:*</c>, <c>Terms:*</c>, <c>Registration:*</c> and its <c>Limits:*</c>.</summary>
internal sealed class IdentityOptions
{
    public AdminOptions Admin { get; set; } = new();
    public TermsOptions Terms { get; set; } = new();
    public RegistrationOptions Registration { get; set; } = new();
    public IdentityLimits Limits { get; set; } = new();
}

internal sealed class AdminOptions
{
    /// <summary>Emails of instance admins (array or comma-separated); when unset, the first account is the admin.</summary>
    public string? Emails { get; set; }
}

internal sealed class TermsOptions
{
    public string? Version { get; set; }
}

internal sealed class RegistrationOptions
{
    public bool Enabled { get; set; } = true;
}

internal sealed class IdentityLimits
{
    /// <summary>PBKDF2-SHA256 iterations for new password hashes (tests lower it; stored hashes keep their own count).</summary>
    public int PasswordHashIterations { get; set; } = 600_000;
    public int AccessTokenMinutes { get; set; } = 15;
    public int RefreshTokenDays { get; set; } = 30;
    public int RefreshGraceSeconds { get; set; } = 10;
    public int PassportMinutes { get; set; } = 15;
    public int CodeTtlMinutes { get; set; } = 10;
    public int CodeMaxAttempts { get; set; } = 5;
    public int CodeResendSeconds { get; set; } = 60;
    public int RecoveriesPerEmailPerHour { get; set; } = 3;
    public int RegistrationsPerEmail { get; set; } = 3;
    public int ClaimFailuresPerHour { get; set; } = 5;
    public int WorkspaceInviteDays { get; set; } = 7;
    public int PersonalTokenMaxDays { get; set; } = 365;
    public DeviceLimits Devices { get; set; } = new();
}

/// <summary><c>Limits:Devices:*</c>: the device pairing's lifetime and polling interval (RFC 8628's <c>expires_in</c>, <c>interval</c>).</summary>
internal sealed class DeviceLimits
{
    public int PairingTtlSeconds { get; set; } = 600;
    public int PollIntervalSeconds { get; set; } = 5;
}
