namespace Parley.Server.Rooms;

/// <summary><c>Limits:Room*</c>: every limit, TTL and size of rooms is configuration so tests and operators can set it.</summary>
internal sealed class RoomsOptions
{
    public RoomLimits Limits { get; set; } = new();
}

internal sealed class RoomLimits
{
    public int RoomMessageMaxBytes { get; set; } = 32 * 1024;
    public int RoomLeaseDefaultTtlSeconds { get; set; } = 1800;
    public int RoomLeaseMinTtlSeconds { get; set; } = 300;
    public int RoomLeaseMaxTtlSeconds { get; set; } = 7200;

    /// <summary>Grace after a lease's expiry: this share of the TTL, at least <see cref="RoomLeaseMinGraceSeconds"/>.</summary>
    public int RoomLeaseGracePercent { get; set; } = 10;

    public int RoomLeaseMinGraceSeconds { get; set; } = 120;
    public int RoomInviteDays { get; set; } = 7;
    public int RoomInlineFileMaxBytes { get; set; } = 256 * 1024;
    public long RoomUploadMaxBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>How often the background sweep applies lapsed leases (at most a minute, per the spec).</summary>
    public int RoomLeaseSweepSeconds { get; set; } = 30;
}
