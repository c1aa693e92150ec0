using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Data;
using Parley.Server.Platform;
using Parley.Server.Platform.Jobs;

namespace Parley.Server.Rooms.Board;

/// <summary>Applies lapsed leases that no read has applied yet, each room in its own transaction.</summary>
internal sealed class LeaseSweepJob(Writes writes, Leases leases, TimeProvider time, IOptions<RoomsOptions> options) : IBackgroundJob
{
    public string Name => "room-lease-sweep";
    public TimeSpan Interval => TimeSpan.FromSeconds(Math.Clamp(options.Value.Limits.RoomLeaseSweepSeconds, 1, 60));

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.NowMs();
        var roomIds = await writes.Db.Tasks.AsNoTracking().Where(t => t.HolderId != null && t.GraceUntil < now)
            .Select(t => t.RoomId).Distinct().Take(500).ToListAsync(cancellationToken);
        var lapsed = 0;
        foreach (var roomId in roomIds)
        {
            lapsed += await writes.RunAsync(async ct =>
            {
                await writes.LockAsync(ct, LockKeys.Room(roomId));
                return await leases.ApplyLapsesAsync(roomId, null, ct);
            }, cancellationToken);
        }
        return lapsed;
    }
}
