using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Channel;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;

namespace Parley.Server.Messaging.Groups;

/// <summary><c>group.invite.received</c> to the invited agent: invite id → the invitation.</summary>
internal sealed class GroupInviteEvent : IAgentEventRenderer
{
    public string Type => FrameTypes.GroupInviteReceived;

    public static void Publish(AgentChannel channel, string agentId, string inviteId) => channel.Publish(agentId, FrameTypes.GroupInviteReceived, inviteId);

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var invite = await services.GetRequiredService<ParleyDb>().GroupInvites.AsNoTracking().FirstOrDefaultAsync(i => i.Id == a[0], ct);
        return invite is null ? null : await services.GetRequiredService<GroupRules>().InviteViewAsync(invite, ct);
    }
}

/// <summary><c>group.deleted</c> to every member: group id → who deleted it and when.</summary>
internal sealed class GroupDeletedEvent : IAgentEventRenderer
{
    public string Type => FrameTypes.GroupDeleted;

    public static void Publish(AgentChannel channel, string agentId, string groupId) => channel.Publish(agentId, FrameTypes.GroupDeleted, groupId);

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var db = services.GetRequiredService<ParleyDb>();
        var group = await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == a[0], ct);
        return group?.DeletedAt is not { } at ? null : new
        {
            group_id = group.Id,
            name = group.Name,
            deleted_by = await AgentQueries.ActorAsync(db, group.DeletedBy!, ct),
            deleted_at = Clock.Time(at),
        };
    }
}
