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

    /// <summary>"Look again": the device has wakes or cancellations to be sent (to whichever node holds its socket).</summary>
    public const string PendingTopic = "device-pending";

    public void Revoked(string deviceId) => writes.AfterCommit(() => bus.PublishAsync(RevokedTopic, deviceId, CancellationToken.None));

    public void Pending(string deviceId) => writes.AfterCommit(() => bus.PublishAsync(PendingTopic, deviceId, CancellationToken.None));

    public async Task<HashSet<string>> OnlineAsync(ParleyDb db, IReadOnlyCollection<string> deviceIds, CancellationToken ct)
    {
        var fresh = time.NowMs() - DeviceSession.StaleAfterMs;
        return [.. await db.DeviceSessions.AsNoTracking().Where(s => deviceIds.Contains(s.DeviceId) && s.SeenAt > fresh)
            .Select(s => s.DeviceId).Distinct().ToListAsync(ct)];
    }
}

/// <summary>
/// A device's presence, written by the listener channel: a session row per open socket (refreshed by its node), the
/// listener's version and hosts from its hello, and <c>last_seen_at</c> to the minute.
/// </summary>
internal static class DevicePresence
{
    public static void Open(ParleyDb db, string sessionId, string deviceId, string nodeId, long now) =>
        db.DeviceSessions.Add(new DeviceSession { Id = sessionId, DeviceId = deviceId, NodeId = nodeId, SeenAt = now });

    public static Task<int> CloseAsync(ParleyDb db, string sessionId, CancellationToken ct) =>
        db.DeviceSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(ct);

    /// <summary>Whether the device holds a fresh socket session on any node.</summary>
    public static Task<bool> IsOnlineAsync(ParleyDb db, string deviceId, long now, CancellationToken ct) =>
        db.DeviceSessions.AnyAsync(s => s.DeviceId == deviceId && s.SeenAt > now - DeviceSession.StaleAfterMs, ct);

    /// <summary>The listener said hello: its version and hosts, and it was seen now.</summary>
    public static Task<int> HelloAsync(ParleyDb db, string deviceId, string? version, string hostsJson, long now, CancellationToken ct) =>
        db.Devices.Where(d => d.Id == deviceId).ExecuteUpdateAsync(x => x
            .SetProperty(d => d.ListenerVersion, version).SetProperty(d => d.Hosts, hostsJson).SetProperty(d => d.LastSeenAt, now), ct);

    /// <summary>A node's sessions are fresh, and the devices it holds were seen now (written only when a minute old).</summary>
    public static async Task RefreshAsync(ParleyDb db, string nodeId, IReadOnlyCollection<string> deviceIds, long now, CancellationToken ct)
    {
        await db.DeviceSessions.Where(s => s.NodeId == nodeId).ExecuteUpdateAsync(x => x.SetProperty(s => s.SeenAt, now), ct);
        var stale = now - Clock.MinuteMs;
        if (deviceIds.Count > 0)
        {
            await db.Devices.Where(d => deviceIds.Contains(d.Id) && (d.LastSeenAt == null || d.LastSeenAt <= stale))
                .ExecuteUpdateAsync(x => x.SetProperty(d => d.LastSeenAt, now), ct);
        }
    }
}

/// <summary>
/// Forgets pairings a day after they expired (until then a late poll still answers <c>CODE_EXPIRED</c>, after it
/// <c>NOT_FOUND</c>); an approved and claimed pairing is done with once its device has its token.
/// </summary>
internal sealed class PairingCleanupJob(Writes writes, TimeProvider time) : Platform.Jobs.IBackgroundJob
{
    public string Name => "device-pairing-cleanup";
    public TimeSpan Interval => TimeSpan.FromHours(1);

    public Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var before = time.NowMs() - Clock.DayMs;
        return writes.RunAsync(ct => writes.Db.DevicePairings.Where(p => p.ExpiresAt <= before).ExecuteDeleteAsync(ct), cancellationToken);
    }
}
