using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;

namespace Parley.Server.Rooms;

/// <summary>What other modules may ask of rooms.</summary>
internal static class RoomQueries
{
    /// <summary>
    /// The rooms both agents are members of, each with whether the second agent's workspace consents there to
    /// cross-owner work (it owns the room, or has an active grant in it: the rule cross-owner assignment follows).
    /// </summary>
    public static async Task<List<(string RoomId, bool Consents)>> SharedRoomsAsync(ParleyDb db, string agentId, string otherAgentId,
        string otherWorkspaceId, CancellationToken ct) =>
        [.. (await db.RoomMembers.AsNoTracking().Where(m => m.MemberId == agentId)
            .Join(db.RoomMembers.AsNoTracking().Where(m => m.MemberId == otherAgentId), a => a.RoomId, b => b.RoomId, (a, _) => a.RoomId)
            .Join(db.Rooms.AsNoTracking(), id => id, r => r.Id, (_, r) => r)
            .OrderBy(r => r.Id)
            .Select(r => new
            {
                r.Id,
                Consents = r.OwnerWorkspaceId == otherWorkspaceId
                    || db.RoomGrants.Any(g => g.RoomId == r.Id && g.WorkspaceId == otherWorkspaceId && g.RevokedAt == null),
            })
            .ToListAsync(ct)).Select(r => (r.Id, r.Consents))];
}
