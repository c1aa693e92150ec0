using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Platform;

namespace Parley.Server.Rooms.Membership;

/// <summary>Rooms and invitations in wire shape. Actors are read in one batch per call.</summary>
internal static class MembershipViews
{
    public static async Task<RoomView> RoomAsync(ParleyDb db, Room room, CancellationToken ct) =>
        (await RoomsAsync(db, [room], ct))[0];

    public static async Task<List<RoomView>> RoomsAsync(ParleyDb db, IReadOnlyList<Room> rooms, CancellationToken ct)
    {
        var actors = await Principals.ResolveAsync(db, rooms.Select(r => r.CreatedBy), ct);
        return [.. rooms.Select(r => new RoomView(r.Id, r.Name, r.Topic, r.Status, r.Kind, r.OwnerWorkspaceId, actors[r.CreatedBy], Clock.Time(r.CreatedAt)))];
    }

    public static async Task<RoomInviteView> InviteAsync(ParleyDb db, RoomInvite invite, string roomName, CancellationToken ct) =>
        new(invite.Id, invite.RoomId, roomName, invite.Kind, invite.Target, invite.Status,
            await Principals.ResolveOneAsync(db, invite.InvitedBy, ct), Clock.Time(invite.CreatedAt), Clock.Time(invite.ExpiresAt));
}
