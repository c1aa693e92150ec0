using System.Text.Json;
using Parley.Contracts.Channel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Contacts;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Deliveries;
using Parley.Server.Messaging.Webhooks;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Messaging.Groups;

/// <summary>
/// The rules every group operation shares: who may touch a group, adding one agent (joined, invited or rejected),
/// the member cap and the adder's daily allowance (exact: both counted under the seam's locks), and the system messages
/// that record membership changes in the group's history.
/// </summary>
internal sealed class GroupRules(Writes writes, Ids ids, TimeProvider time, MessageStore messages, FanOut fanOut, AgentChannel channel,
    WebhookQueue webhooks, IOptions<MessagingOptions> options)
{
    private ParleyDb Db => writes.Db;

    /// <summary>At most this many members (<c>Limits:GroupMaxMembers</c>, 256 by default).</summary>
    public int MaxMembers => options.Value.Limits.GroupMaxMembers;
    private long Now => time.NowMs();
    private int DailyAdds => options.Value.Limits.GroupAddsPerDay;

    /// <summary>
    /// The group and the caller's active membership. A former member of a deleted group gets <c>410 GROUP_DELETED</c>;
    /// anyone else who is not a member gets <c>CONVERSATION_NOT_FOUND</c>.
    /// </summary>
    public async Task<(Group Group, Participant Member)> TouchAsync(string agentId, string? groupId, CancellationToken c, bool track = false)
    {
        var group = await Db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == groupId, c);
        var participants = track ? Db.Participants : Db.Participants.AsNoTracking();
        var member = group is null ? null : await participants.FirstOrDefaultAsync(p => p.ConversationId == group.Id && p.AgentId == agentId, c);
        if (group is null || member is null)
        {
            throw new ApiException(ErrorCodes.ConversationNotFound, "No such conversation.");
        }
        if (group.DeletedAt is { } deletedAt)
        {
            var by = await AgentQueries.HandleAsync(Db, group.DeletedBy, c);
            throw new ApiException(ErrorCodes.GroupDeleted, "This group was deleted.", ApiErrors.Details(
                ("group_id", group.Id), ("deleted_by_handle", by), ("deleted_at", Clock.Time(deletedAt))));
        }
        if (member.LeftAt is not null)
        {
            throw new ApiException(ErrorCodes.ConversationNotFound, "No such conversation.");
        }
        return (group, member);
    }

    public static void RequireAdmin(Participant member)
    {
        if (member.Role != Participant.Admin)
        {
            throw ApiErrors.Forbidden("group_admin_required", "Only the group's admins may do this.");
        }
    }

    public Task<List<Participant>> ActiveMembersAsync(string groupId, CancellationToken c) =>
        Db.Participants.Where(p => p.ConversationId == groupId && p.LeftAt == null).OrderBy(p => p.JoinedAt).ToListAsync(c);

    /// <summary>
    /// Adds one agent. Joined at once when it has the adder in its contacts; otherwise invited, unless its
    /// <c>group_invite_policy</c> is <c>contacts_only</c> (rejected, INBOX_RESTRICTED). With <paramref name="throwOnLimits"/>
    /// the cap and allowance answer as errors (single add); otherwise they become rejected outcomes (creation).
    /// </summary>
    public async Task<AddResult> AddAsync(Agent adder, Group group, string handle, bool throwOnLimits, CancellationToken c, bool atCreation = false)
    {
        var target = await AgentQueries.ByNameAsync(Db, handle, c);
        if (target is null)
        {
            return throwOnLimits ? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.") : new AddResult(handle, "rejected", ErrorCodes.AgentNotFound);
        }
        if (target.Id == adder.Id || await Db.Participants.AnyAsync(p => p.ConversationId == group.Id && p.AgentId == target.Id && p.LeftAt == null, c))
        {
            return new AddResult(handle, "already_member");
        }
        if (await ContactQueries.IsBlockedEitherWayAsync(Db, adder.Id, target.Id, c))
        {
            return new AddResult(handle, "rejected", ErrorCodes.Blocked);
        }
        var isContact = await ContactQueries.HasContactAsync(Db, target.Id, adder.Id, c);
        if (!isContact && target.GroupInvitePolicy == "contacts_only")
        {
            return new AddResult(handle, "rejected", ErrorCodes.InboxRestricted);
        }
        if (isContact && await Db.Participants.CountAsync(p => p.ConversationId == group.Id && p.LeftAt == null, c) >= MaxMembers)
        {
            return throwOnLimits ? throw ApiErrors.Conflict($"A group has at most {MaxMembers} members.", MaxMembers)
                : new AddResult(handle, "rejected", ErrorCodes.Conflict);
        }
        var dayAgo = Now - Clock.DayMs;
        var recent = await Db.GroupInvites.Where(i => i.InvitedBy == adder.Id && i.CreatedAt > dayAgo).OrderBy(i => i.CreatedAt)
            .Select(i => i.CreatedAt).Take(DailyAdds).ToListAsync(c);
        if (recent.Count >= DailyAdds)
        {
            return throwOnLimits
                ? throw ApiErrors.RateLimited(DailyAdds, Clock.DaySeconds, TimeSpan.FromMilliseconds(recent[0] + Clock.DayMs - Now))
                : new AddResult(handle, "rejected", ErrorCodes.RateLimited);
        }
        var invite = new GroupInvite
        {
            Id = ids.New("inv"), GroupId = group.Id, AgentId = target.Id, InvitedBy = adder.Id,
            Status = isContact ? GroupInvite.Joined : GroupInvite.Pending, CreatedAt = Now,
        };
        Db.GroupInvites.Add(invite);
        if (isContact)
        {
            await JoinAsync(group, target.Id, Participant.Member, c);
            // The members a group is created with are part of its creation; later joins are recorded in the group.
            if (!atCreation)
            {
                await SystemMessageAsync(group.Id, adder.Id, "member_joined", target.Id, c);
            }
            return new AddResult(handle, "joined");
        }
        await Db.SaveChangesAsync(c);
        GroupInviteEvent.Publish(channel, target.Id, invite.Id);
        await webhooks.EnqueueAsync(target.Id, FrameTypes.GroupInviteReceived, await InviteViewAsync(invite, c), c);
        return new AddResult(handle, "invited");
    }

    /// <summary>Makes (or makes again) an agent a member, seeing history from now on.</summary>
    public async Task JoinAsync(Group group, string agentId, string role, CancellationToken c)
    {
        var lastSeq = await Db.Conversations.Where(x => x.Id == group.Id).Select(x => x.LastSeq).FirstAsync(c);
        var existing = await Db.Participants.FirstOrDefaultAsync(p => p.ConversationId == group.Id && p.AgentId == agentId, c);
        if (existing is null)
        {
            Db.Participants.Add(new Participant { ConversationId = group.Id, AgentId = agentId, Role = role, JoinedSeq = lastSeq, LastReadSeq = lastSeq, JoinedAt = Now });
        }
        else
        {
            existing.LeftAt = null;
            existing.Role = role;
            existing.JoinedSeq = lastSeq;
            existing.LastReadSeq = lastSeq;
            existing.JoinedAt = Now;
        }
        await Db.SaveChangesAsync(c);
    }

    /// <summary>Records a membership change in the group (<c>type: system</c>, <c>content.data.event</c>) and delivers it to the members.</summary>
    public async Task SystemMessageAsync(string groupId, string actorId, string @event, string? subjectId, CancellationToken c, bool deliver = true)
    {
        var subject = subjectId is null ? null : await AgentQueries.HandleAsync(Db, subjectId, c);
        var group = await Db.Groups.AsNoTracking().FirstAsync(g => g.Id == groupId, c);
        var data = new Dictionary<string, object?> { ["event"] = @event, ["handle"] = subject };
        if (@event == "group_renamed")
        {
            data["name"] = group.Name;
        }
        var message = await messages.AppendAsync(groupId, actorId, "system", JsonSerializer.Serialize(new { data }), null, "system-" + ids.New("sys"), c);
        if (deliver)
        {
            var members = await ActiveMembersAsync(groupId, c);
            await fanOut.DeliverAsync(message, [.. members.Select(m => m.AgentId).Where(id => id != actorId)], skipBacklogged: true, c);
        }
    }

    public async Task<GroupInviteView> InviteViewAsync(GroupInvite invite, CancellationToken c)
    {
        var group = await Db.Groups.AsNoTracking().FirstAsync(g => g.Id == invite.GroupId, c);
        var from = (await AgentQueries.ByIdAsync(Db, invite.InvitedBy, c))!;
        return new GroupInviteView(invite.Id, group.Id, group.Name, from.ToActor(), Clock.Time(invite.CreatedAt));
    }

    public async Task<GroupView> ViewAsync(Group group, string? viewerId, CancellationToken c)
    {
        var members = await Db.Participants.AsNoTracking().Where(p => p.ConversationId == group.Id && p.LeftAt == null)
            .Join(AgentQueries.All(Db), p => p.AgentId, a => a.Id, (p, a) => new { p, a }).OrderBy(x => x.p.JoinedAt).ToListAsync(c);
        var creator = (await AgentQueries.ByIdAsync(Db, group.CreatorId, c))!;
        return new GroupView(group.Id, group.Name, group.Description, creator.ToActor(), Clock.Time(group.CreatedAt),
            members.Count, [.. members.Select(x => new GroupMemberView(x.a.ToActor(), x.p.Role, Clock.Time(x.p.JoinedAt)))],
            members.FirstOrDefault(x => x.a.Id == viewerId)?.p.Role);
    }
}
