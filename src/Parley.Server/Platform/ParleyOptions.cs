namespace Parley.Server.Platform;

/// <summary>
/// The configuration keys of conventions.md that the platform reads. Every limit, TTL and cost is configuration so
/// tests and operators can set what they need; modules add their own sections next to their code.
/// </summary>
internal sealed class ParleyOptions
{
    public string? PublicBaseUrl { get; set; }
    public StorageOptions Storage { get; set; } = new();
    public DatabaseOptions Database { get; set; } = new();
    public SecurityOptions Security { get; set; } = new();
    public NetworkOptions Network { get; set; } = new();
    public MailOptions Mail { get; set; } = new();
    public PlatformLimits Limits { get; set; } = new();
    public TestingOptions Testing { get; set; } = new();
}

internal sealed class StorageOptions
{
    public string DataDirectory { get; set; } = "./data";
}

internal sealed class DatabaseOptions
{
    public string Provider { get; set; } = "sqlite";
    public string? ConnectionString { get; set; }

    /// <summary>SQLite only: <c>full</c> (fsync per commit) or <c>normal</c> (survives a process crash).</summary>
    public string Durability { get; set; } = "full";

    /// <summary>How long a SQLite writer of another process waits for the write lock (this process's writers queue in turn).</summary>
    public int BusyTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// SQLite only: how long a group of writes may stay open for more writers to join before it commits
    /// (see <see cref="Data.SqliteGroupCommit"/>); 0 commits every write on its own.
    /// </summary>
    public int GroupCommitWindowMs { get; set; } = 2;
}

/// <summary><c>Mail:Smtp:*</c>: when no host is set, mail goes to the outbox file.</summary>
internal sealed class MailOptions
{
    public SmtpOptions Smtp { get; set; } = new();
}

internal sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "parley@localhost";
}

internal sealed class SecurityOptions
{
    public string? MasterKey { get; set; }
}

internal sealed class NetworkOptions
{
    public string[] TrustedProxies { get; set; } = [];
    public bool AllowPrivateAddresses { get; set; }
}

internal sealed class PlatformLimits
{
    public int MaxJsonBodyBytes { get; set; } = 1024 * 1024;
    public int IdempotencyTtlHours { get; set; } = 24;
    public int IdempotencyLockSeconds { get; set; } = 60;
    public int DefaultRetryAfterSeconds { get; set; } = 30;
    public int UploadUrlTtlSeconds { get; set; } = 900;
    public int PendingUploadRetentionHours { get; set; } = 24;
    public int QuarantineRetentionDays { get; set; } = 7;

    /// <summary>Storage per workspace, in bytes (0 = unlimited).</summary>
    public long StorageWorkspaceBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>Storage per agent that no workspace owns, in bytes (0 = unlimited).</summary>
    public long StorageUnownedAgentBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Rate limits by name: <c>Limits:Rates:&lt;name&gt;:Limit</c> and <c>:WindowSeconds</c>.</summary>
    public Dictionary<string, RateOptions> Rates { get; set; } = [];
}

internal sealed class RateOptions
{
    public int Limit { get; set; }
    public int WindowSeconds { get; set; } = 1;
}

internal sealed class TestingOptions
{
    /// <summary>Maps the <c>/_test/*</c> routes (fault hooks). Never set outside tests.</summary>
    public bool FaultHooks { get; set; }
}
