using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Parley.Server.Data;
using Parley.Server.Platform;
using Parley.Server.Platform.Cluster;

namespace Parley.Server.Identity.Devices;

/// <summary>A device's open listener socket, per node; the node refreshes <see cref="SeenAt"/>, so a dead node's rows go stale.</summary>
internal sealed class DeviceSession
{
    /// <summary>A node refreshes its sessions every 30 s; one unseen for 90 s belongs to a dead node.</summary>
    public const long StaleAfterMs = 90_000;

    public required string Id { get; set; }
    public required string DeviceId { get; set; }
    public required string NodeId { get; set; }
    public long SeenAt { get; set; }
}

internal sealed class DeviceSessionConfiguration : IEntityTypeConfiguration<DeviceSession>
{
    public void Configure(EntityTypeBuilder<DeviceSession> builder)
    {
        builder.ToTable("device_sessions");
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => s.DeviceId);
        builder.HasIndex(s => s.NodeId);
    }
}

/// <summary>
/// Devices across nodes: a revocation is announced on the cluster bus once it commits (every node closes that device's
/// listener sockets with 1008), and <c>online</c> means a fresh socket session on any node.
/// </summary>
internal sealed class DeviceSignals(Writes writes, IClusterBus bus, TimeProvider time)
{
    public const string RevokedTopic = "device-revoked";

    public void Revoked(string deviceId) => writes.AfterCommit(() => bus.PublishAsync(RevokedTopic, deviceId, CancellationToken.None));

    public async Task<HashSet<string>> OnlineAsync(ParleyDb db, IReadOnlyCollection<string> deviceIds, CancellationToken ct)
    {
        var fresh = time.NowMs() - DeviceSession.StaleAfterMs;
        return [.. await db.DeviceSessions.AsNoTracking().Where(s => deviceIds.Contains(s.DeviceId) && s.SeenAt > fresh)
            .Select(s => s.DeviceId).Distinct().ToListAsync(ct)];
    }
}
