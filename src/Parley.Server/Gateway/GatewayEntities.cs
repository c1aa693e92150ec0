using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Gateway;

/// <summary>A credential the gateway injects into matching calls; its value sealed under the master key, never returned.</summary>
internal sealed class VaultEntry
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Name { get; set; }

    /// <summary>Lower case; unique with <see cref="PathPattern"/> in the workspace (<c>TOKEN_EXISTS</c>).</summary>
    public required string HostPattern { get; set; }

    public required string PathPattern { get; set; }

    /// <summary>The injection as JSON: <c>{kind, header_name?, value_format?, param_name?, template?}</c>.</summary>
    public required string Injection { get; set; }

    /// <summary>The value, sealed (<see cref="Platform.Security.SecretBox"/>, purpose <c>vault</c>).</summary>
    public required byte[] Value { get; set; }

    public required string ValueLast4 { get; set; }

    /// <summary>JSON array of agent ids the value is for; null for every agent of the workspace.</summary>
    public string? AgentIds { get; set; }

    public required string CreatedBy { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>A rule of the workspace's outbound policy: block, hold for approval, rate-limit or allow matching calls.</summary>
internal sealed class GatewayRule
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Name { get; set; }
    public required string HostPattern { get; set; }
    public required string PathPattern { get; set; }

    /// <summary>Upper case; null matches every method.</summary>
    public string? Method { get; set; }

    public string? AgentId { get; set; }
    public required string Action { get; set; }
    public long? RateLimit { get; set; }
    public string? RateLimitWindow { get; set; }
    public bool Enabled { get; set; }
    public bool PresentIdentity { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>A workspace's gateway settings; no row means the defaults (allow, the configured per-domain limit).</summary>
internal sealed class GatewaySettings
{
    public required string WorkspaceId { get; set; }
    public required string PolicyMode { get; set; }
    public int? PerDomainPerMinute { get; set; }
}

/// <summary>One fixed window of a counted limit (a rule's rate limit per agent, a workspace's per-domain limit).</summary>
internal sealed class GatewayWindow
{
    public required string Key { get; set; }
    public long WindowStart { get; set; }
    public long Count { get; set; }
    public long ExpiresAt { get; set; }
}

/// <summary>One line of the request log: what was called and what became of it — never header values, bodies or query strings.</summary>
internal sealed class GatewayLogEntry
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string AgentId { get; set; }
    public required string Method { get; set; }
    public required string Host { get; set; }
    public required string Path { get; set; }
    public int? Status { get; set; }
    public long? DurationMs { get; set; }
    public required string Decision { get; set; }
    public string? RuleId { get; set; }
    public string? ApprovalId { get; set; }

    /// <summary>JSON array of the vault entry ids injected.</summary>
    public required string Injected { get; set; }

    public long BytesOut { get; set; }
    public long BytesIn { get; set; }
    public string? ErrorCode { get; set; }
    public required string Via { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>A held call waiting for an owner's decision.</summary>
internal sealed class Approval
{
    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string AgentId { get; set; }
    public required string Method { get; set; }
    public required string Url { get; set; }
    public required string Host { get; set; }
    public required string Path { get; set; }
    public string? BodyPreview { get; set; }
    public string? RuleId { get; set; }
    public required string Status { get; set; }
    public string? DecidedBy { get; set; }
    public long? DecidedAt { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
}

internal sealed class GatewayConfiguration :
    IEntityTypeConfiguration<VaultEntry>, IEntityTypeConfiguration<GatewayRule>, IEntityTypeConfiguration<GatewaySettings>,
    IEntityTypeConfiguration<GatewayWindow>, IEntityTypeConfiguration<GatewayLogEntry>, IEntityTypeConfiguration<Approval>
{
    public void Configure(EntityTypeBuilder<VaultEntry> builder)
    {
        builder.ToTable("vault_entries");
        builder.HasKey(e => e.Id);
        builder.HasIndex(e => new { e.WorkspaceId, e.HostPattern, e.PathPattern }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<GatewayRule> builder)
    {
        builder.ToTable("gateway_rules");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => r.WorkspaceId);
    }

    public void Configure(EntityTypeBuilder<GatewaySettings> builder)
    {
        builder.ToTable("gateway_settings");
        builder.HasKey(s => s.WorkspaceId);
    }

    public void Configure(EntityTypeBuilder<GatewayWindow> builder)
    {
        builder.ToTable("gateway_windows");
        builder.HasKey(w => new { w.Key, w.WindowStart });
        builder.HasIndex(w => w.ExpiresAt);
    }

    public void Configure(EntityTypeBuilder<GatewayLogEntry> builder)
    {
        builder.ToTable("gateway_log");
        builder.HasKey(l => l.Id);
        builder.HasIndex(l => new { l.WorkspaceId, l.Id });
        builder.HasIndex(l => l.CreatedAt);
    }

    public void Configure(EntityTypeBuilder<Approval> builder)
    {
        builder.ToTable("approvals");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => new { a.WorkspaceId, a.Status });
        builder.HasIndex(a => new { a.Status, a.ExpiresAt });
    }
}
