using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Identity.Devices;

/// <summary>
/// A paired machine that runs Parley's listener for some of its workspace's agents. It authenticates with a device
/// token (<c>prl_dev_&lt;token id&gt;_&lt;secret&gt;</c>, stored as a hash); revoking it is for good.
/// </summary>
internal sealed class Device
{
    public const string Active = "active";
    public const string Revoked = "revoked";

    public required string Id { get; set; }
    public required string WorkspaceId { get; set; }
    public required string Name { get; set; }
    public required string Platform { get; set; }

    /// <summary>The account that approved the pairing.</summary>
    public required string CreatedBy { get; set; }

    public required string Status { get; set; }

    /// <summary>The 12 characters inside the token that find this row; null until the device fetched its token.</summary>
    public string? TokenId { get; set; }

    public byte[]? TokenHash { get; set; }

    /// <summary>The hosts the listener said it can run (JSON array).</summary>
    public required string Hosts { get; set; }

    public string? ListenerVersion { get; set; }
    public long? LastSeenAt { get; set; }
    public long CreatedAt { get; set; }
    public long? RevokedAt { get; set; }
}

/// <summary>Which agent of the workspace a device runs, with which host.</summary>
internal sealed class DeviceBinding
{
    public required string DeviceId { get; set; }
    public required string AgentId { get; set; }
    public required string Host { get; set; }
    public bool ConstrainedCapable { get; set; }
}

/// <summary>
/// A pairing in progress (RFC 8628's shape): the device holds the secret <c>device_code</c> (stored as a hash) and
/// polls; a person approves the short <c>user_code</c> in a workspace. Pending → approved → claimed (the token was
/// handed out), or denied; past <c>expires_at</c> a pending pairing is over.
/// </summary>
internal sealed class DevicePairing
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Denied = "denied";
    public const string Claimed = "claimed";

    public required string Id { get; set; }

    /// <summary>SHA-256 of the device code (a 256-bit random secret), which finds the row.</summary>
    public required byte[] DeviceCodeHash { get; set; }

    /// <summary>8 characters, stored without the dash; unique among pairings.</summary>
    public required string UserCode { get; set; }

    public required string Name { get; set; }
    public required string Platform { get; set; }
    public required string Hosts { get; set; }
    public required string Status { get; set; }
    public string? DeviceId { get; set; }
    public long LastPolledAt { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
}

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>, IEntityTypeConfiguration<DeviceBinding>, IEntityTypeConfiguration<DevicePairing>
{
    public void Configure(EntityTypeBuilder<Device> builder)
    {
        builder.ToTable("devices");
        builder.HasKey(d => d.Id);
        builder.HasIndex(d => d.WorkspaceId);
        builder.HasIndex(d => d.TokenId).IsUnique();
    }

    public void Configure(EntityTypeBuilder<DeviceBinding> builder)
    {
        builder.ToTable("device_bindings");
        builder.HasKey(b => new { b.DeviceId, b.AgentId });
        builder.HasIndex(b => b.AgentId);
    }

    public void Configure(EntityTypeBuilder<DevicePairing> builder)
    {
        builder.ToTable("device_pairings");
        builder.HasKey(p => p.Id);
        builder.HasIndex(p => p.UserCode).IsUnique();
        builder.HasIndex(p => p.DeviceCodeHash).IsUnique();
        builder.HasIndex(p => p.ExpiresAt);
    }
}
