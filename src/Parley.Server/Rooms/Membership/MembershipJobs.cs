using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;
using Parley.Server.Platform.Jobs;

namespace Parley.Server.Rooms.Membership;

/// <summary>A deleted agent leaves every room: its leases end, its assignments are cleared (in the deletion's transaction).</summary>
internal sealed class RoomAgentDeletion(Writes writes, RoomService rooms) : IAgentDeletionStep
{
    public async Task OnAgentDeletedAsync(string agentId, CancellationToken cancellationToken)
    {
        var db = writes.Db;
        var roomIds = await db.RoomMembers.Where(m => m.MemberId == agentId).Select(m => m.RoomId)
            .Union(db.Tasks.Where(t => t.HolderId == agentId || t.AssigneeId == agentId).Select(t => t.RoomId))
            .ToListAsync(cancellationToken);
        if (roomIds.Count == 0)
        {
            return;
        }
        await writes.LockAsync(cancellationToken, [.. roomIds.Select(LockKeys.Room)]);
        foreach (var roomId in roomIds)
        {
            await rooms.RemoveAgentAsync(roomId, agentId, "agent_deleted", actor: null, cancellationToken);
        }
    }
}

/// <summary>Deletes room invitations that expired unanswered.</summary>
internal sealed class RoomInviteCleanupJob(Writes writes, TimeProvider time) : IBackgroundJob
{
    public string Name => "room-invite-cleanup";
    public TimeSpan Interval => TimeSpan.FromHours(1);

    public Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.NowMs();
        return writes.RunAsync(ct => writes.Db.RoomInvites.Where(i => i.Status == InviteStatus.Pending && i.ExpiresAt <= now).ExecuteDeleteAsync(ct),
            cancellationToken);
    }
}
