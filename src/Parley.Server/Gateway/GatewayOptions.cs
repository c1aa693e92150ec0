namespace Parley.Server.Gateway;

/// <summary><c>Gateway:*</c> (and <c>Limits:Gateway:PerDomainPerMinute</c>): the gateway's settings.</summary>
internal sealed class GatewayOptions
{
    /// <summary>The forward proxy's listeners, comma-separated; empty turns the proxy off.</summary>
    public string ProxyUrls { get; set; } = "http://127.0.0.1:8081";

    /// <summary>How long a held call waits for an owner's decision.</summary>
    public int ApprovalTimeoutSeconds { get; set; } = 180;

    /// <summary>How long the request log keeps a call.</summary>
    public int LogRetentionDays { get; set; } = 30;

    /// <summary>A PEM file of CA certificates trusted for upstreams besides the system's (private CAs, tests).</summary>
    public string? UpstreamTrustedCaFile { get; set; }

    /// <summary>The Public Suffix List (Debian's <c>publicsuffix</c> package).</summary>
    public string PublicSuffixListFile { get; set; } = "/usr/share/publicsuffix/public_suffix_list.dat";

    /// <summary>Calls per minute to one registrable domain per workspace, unless the workspace sets its own.</summary>
    public int PerDomainPerMinute { get; set; } = 10;

    /// <summary>A call's upstream timeout when the call names none, and the most it may name.</summary>
    public int DefaultTimeoutMs { get; set; } = 30_000;

    public int MaxTimeoutMs { get; set; } = 120_000;

    /// <summary>The largest request or response body of a governed call.</summary>
    public int MaxBodyBytes { get; set; } = 10 * 1024 * 1024;
}
