using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Contracts.Channel;
using Parley.Contracts.Identity;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Webhooks;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Groups;

/// <summary>Groups: creation, reading, renaming, members and roles, leaving, invitations and deletion.</summary>
internal sealed class GroupService(Writes writes, Ids ids, TimeProvider time, GroupRules rules, AgentChannel channel, WebhookQueue webhooks)
{
    private ParleyDb Db => writes.Db;
    private long Now => time.NowMs();

    private static void RequireUnrestricted(Agent agent)
    {
        if (agent.Status == AgentStatus.Restricted)
        {
            throw new ApiException(ErrorCodes.AgentRestricted, "A restricted agent cannot create groups or invite to them.");
        }
    }

    private static void ValidateProfile(Validator v, string? name, string? description, bool nameRequired)
    {
        if (nameRequired)
        {
            v.Required("name", name);
        }
        v.Name("name", name, 1, 100);
        v.Length("description", description, 0, 500);
    }

    public async Task<GroupCreated> CreateAsync(Caller caller, CreateGroupRequest request, CancellationToken ct)
    {
        var creator = caller.Agent!;
        RequireUnrestricted(creator);
        var v = new Validator();
        ValidateProfile(v, request.Name, request.Description, nameRequired: true);
        if (request.MemberHandles is { Count: > 1000 })
        {
            v.Add("member_handles", "at most 1000 handles");
        }
        for (var i = 0; i < (request.MemberHandles?.Count ?? 0); i++)
        {
            if (string.IsNullOrWhiteSpace(request.MemberHandles![i]))
            {
                v.Add($"member_handles[{i}]", "must name an agent (its handle, id or plate)");
            }
        }
        v.ThrowIfInvalid();
        return await writes.RunAsync(async c =>
        {
            var now = Now;
            var id = ids.New("grp");
            var group = new Group { Id = id, Name = request.Name!.Trim(), Description = request.Description?.Trim(), CreatorId = creator.Id, CreatedAt = now };
            Db.Groups.Add(group);
            Db.Conversations.Add(new Conversation { Id = id, Kind = ConversationKind.Group, CreatedAt = now, LastMessageAt = now, Established = true });
            Db.Participants.Add(new Participant { ConversationId = id, AgentId = creator.Id, Role = Participant.Admin, JoinedAt = now });
            await Db.SaveChangesAsync(c);
            await writes.LockAsync(c, LockKeys.Group(id), LockKeys.GroupAdds(creator.Id));
            var results = new List<AddResult>();
            foreach (var handle in (request.MemberHandles ?? []).Distinct(StringComparer.Ordinal))
            {
                results.Add(await rules.AddAsync(creator, group, handle, throwOnLimits: false, c, atCreation: true));
            }
            return new GroupCreated(await rules.ViewAsync(group, creator.Id, c), results);
        }, ct);
    }

    public async Task<Page<GroupView>> ListAsync(string agentId, CancellationToken ct)
    {
        var groups = await Db.Participants.AsNoTracking().Where(p => p.AgentId == agentId && p.LeftAt == null)
            .Join(Db.Groups.AsNoTracking().Where(g => g.DeletedAt == null), p => p.ConversationId, g => g.Id, (p, g) => g)
            .OrderBy(g => g.CreatedAt).ToListAsync(ct);
        var views = new List<GroupView>();
        foreach (var group in groups)
        {
            views.Add(await rules.ViewAsync(group, agentId, ct));
        }
        return new Page<GroupView>(views, null);
    }

    public async Task<GroupView> GetAsync(string agentId, string groupId, CancellationToken ct)
    {
        var (group, _) = await rules.TouchAsync(agentId, groupId, ct);
        return await rules.ViewAsync(group, agentId, ct);
    }

    public async Task<GroupView> UpdateAsync(string agentId, string groupId, UpdateGroupRequest request, CancellationToken ct)
    {
        var v = new Validator();
        ValidateProfile(v, request.Name, request.Description, nameRequired: false);
        v.ThrowIfInvalid();
        return await writes.RunAsync(async c =>
        {
            var (_, member) = await rules.TouchAsync(agentId, groupId, c);
            GroupRules.RequireAdmin(member);
            var group = await Db.Groups.FirstAsync(g => g.Id == groupId, c);
            var renamed = request.Name is not null && request.Name.Trim() != group.Name;
            group.Name = request.Name?.Trim() ?? group.Name;
            group.Description = request.Description?.Trim() ?? group.Description;
            await Db.SaveChangesAsync(c);
            if (renamed)
            {
                await rules.SystemMessageAsync(groupId, agentId, "group_renamed", null, c);
            }
            return await rules.ViewAsync(group, agentId, c);
        }, ct);
    }

    public Task<AddResult> AddMemberAsync(Caller caller, string groupId, string? handle, CancellationToken ct)
    {
        var adder = caller.Agent!;
        RequireUnrestricted(adder);
        var v = new Validator();
        v.Required("handle", handle);
        v.ThrowIfInvalid();
        return writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Group(groupId), LockKeys.GroupAdds(adder.Id));
            var (group, member) = await rules.TouchAsync(adder.Id, groupId, c);
            GroupRules.RequireAdmin(member);
            return await rules.AddAsync(adder, group, handle!, throwOnLimits: true, c);
        }, ct);
    }

    public Task RemoveMemberAsync(string agentId, string groupId, string handle, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Group(groupId));
            var (group, member) = await rules.TouchAsync(agentId, groupId, c);
            GroupRules.RequireAdmin(member);
            var target = await TargetAsync(group, handle, c);
            var members = await rules.ActiveMembersAsync(groupId, c);
            if (target.AgentId == group.CreatorId)
            {
                throw ApiErrors.Forbidden("group_creator", "The group's creator cannot be removed or demoted.");
            }
            if (target.Role == Participant.Admin && members.Count(m => m.Role == Participant.Admin) == 1)
            {
                throw new ApiException(ErrorCodes.LastAdmin, "A group must keep at least one admin.");
            }
            target.LeftAt = Now;
            await Db.SaveChangesAsync(c);
            await rules.SystemMessageAsync(groupId, agentId, "member_removed", target.AgentId, c);
        }, ct);

    public Task<GroupView> SetRoleAsync(string agentId, string groupId, string handle, string role, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Group(groupId));
            var (group, member) = await rules.TouchAsync(agentId, groupId, c);
            GroupRules.RequireAdmin(member);
            var target = await TargetAsync(group, handle, c);
            if (role == Participant.Member && target.AgentId == group.CreatorId)
            {
                throw ApiErrors.Forbidden("group_creator", "The group's creator cannot be removed or demoted.");
            }
            if (role == Participant.Member && target.Role == Participant.Admin
                && (await rules.ActiveMembersAsync(groupId, c)).Count(m => m.Role == Participant.Admin) == 1)
            {
                throw new ApiException(ErrorCodes.LastAdmin, "A group must keep at least one admin.");
            }
            if (target.Role != role)
            {
                target.Role = role;
                await Db.SaveChangesAsync(c);
                await rules.SystemMessageAsync(groupId, agentId, role == Participant.Admin ? "admin_promoted" : "admin_demoted", target.AgentId, c);
            }
            return await rules.ViewAsync(group, agentId, c);
        }, ct);

    private async Task<Participant> TargetAsync(Group group, string handle, CancellationToken c)
    {
        var agentId = (await AgentQueries.ByNameAsync(Db, handle, c))?.Id;
        return await Db.Participants.FirstOrDefaultAsync(p => p.ConversationId == group.Id && p.AgentId == agentId && p.LeftAt == null, c)
            ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such member of this group.");
    }

    /// <summary>Leaves; when the last admin leaves, the earliest-joined member becomes admin.</summary>
    public Task<LeaveResult> LeaveAsync(string agentId, string groupId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Group(groupId));
            await rules.TouchAsync(agentId, groupId, c);
            var promoted = await LeaveGroupAsync(agentId, groupId, c);
            return new LeaveResult(groupId, promoted);
        }, ct);

    /// <summary>Takes an agent out of a group (leave, or its deletion); returns the handle promoted in its place, if any.</summary>
    internal async Task<string?> LeaveGroupAsync(string agentId, string groupId, CancellationToken c)
    {
        var members = await rules.ActiveMembersAsync(groupId, c);
        var leaving = members.Single(m => m.AgentId == agentId);
        leaving.LeftAt = Now;
        await Db.SaveChangesAsync(c);
        await rules.SystemMessageAsync(groupId, agentId, "member_left", agentId, c);
        var remaining = members.Where(m => m.AgentId != agentId).ToList();
        if (leaving.Role != Participant.Admin || remaining.Count == 0 || remaining.Any(m => m.Role == Participant.Admin))
        {
            return null;
        }
        var heir = remaining.OrderBy(m => m.JoinedAt).ThenBy(m => m.AgentId, StringComparer.Ordinal).First();
        heir.Role = Participant.Admin;
        await Db.SaveChangesAsync(c);
        await rules.SystemMessageAsync(groupId, agentId, "admin_promoted", heir.AgentId, c);
        return await AgentQueries.HandleAsync(Db, heir.AgentId, c);
    }

    public async Task<Page<GroupInviteView>> ListInvitesAsync(string agentId, CancellationToken ct)
    {
        var invites = await Db.GroupInvites.AsNoTracking().Where(i => i.AgentId == agentId && i.Status == GroupInvite.Pending)
            .OrderBy(i => i.CreatedAt).ToListAsync(ct);
        var views = new List<GroupInviteView>();
        foreach (var invite in invites)
        {
            views.Add(await rules.InviteViewAsync(invite, ct));
        }
        return new Page<GroupInviteView>(views, null);
    }

    public Task<GroupView> AcceptInviteAsync(string agentId, string inviteId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var groupId = await Db.GroupInvites.AsNoTracking().Where(i => i.Id == inviteId).Select(i => i.GroupId).FirstOrDefaultAsync(c);
            await writes.LockAsync(c, LockKeys.Group(groupId ?? ""));
            var invite = await Db.GroupInvites.FirstOrDefaultAsync(i => i.Id == inviteId && i.AgentId == agentId && i.Status == GroupInvite.Pending, c)
                ?? throw new ApiException(ErrorCodes.NotFound, "No such invitation.");
            var group = await Db.Groups.AsNoTracking().FirstAsync(g => g.Id == invite.GroupId, c);
            if (await Db.Participants.CountAsync(p => p.ConversationId == group.Id && p.LeftAt == null, c) >= rules.MaxMembers)
            {
                throw ApiErrors.Conflict($"A group has at most {rules.MaxMembers} members.", rules.MaxMembers);
            }
            invite.Status = GroupInvite.Accepted;
            await rules.JoinAsync(group, agentId, Participant.Member, c);
            await rules.SystemMessageAsync(group.Id, agentId, "member_joined", agentId, c);
            return await rules.ViewAsync(group, agentId, c);
        }, ct);

    public async Task DeclineInviteAsync(string agentId, string inviteId, CancellationToken ct)
    {
        var declined = await writes.RunAsync(c => Db.GroupInvites.Where(i => i.Id == inviteId && i.AgentId == agentId && i.Status == GroupInvite.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, GroupInvite.Declined), c), ct);
        if (declined == 0)
        {
            throw new ApiException(ErrorCodes.NotFound, "No such invitation.");
        }
    }

    /// <summary>
    /// Deletes a group: the creator may, or any admin once the creator's agent is gone. Messages stay; members are
    /// removed, pending invitations cancelled, and every member is told (<c>group.deleted</c>).
    /// </summary>
    public Task<GroupDeletedResult> DeleteAsync(string agentId, string groupId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Group(groupId));
            var (_, member) = await rules.TouchAsync(agentId, groupId, c);
            var group = await Db.Groups.FirstAsync(g => g.Id == groupId, c);
            var creatorGone = (await AgentQueries.ByIdAsync(Db, group.CreatorId, c))?.Status == AgentStatus.Deleted;
            if (group.CreatorId != agentId && !(creatorGone && member.Role == Participant.Admin))
            {
                throw ApiErrors.Forbidden("group_creator_only", "Only the group's creator may delete it.");
            }
            var now = Now;
            var members = await rules.ActiveMembersAsync(groupId, c);
            await rules.SystemMessageAsync(groupId, agentId, "group_deleted", null, c, deliver: false);
            group.DeletedAt = now;
            group.DeletedBy = agentId;
            foreach (var m in members)
            {
                m.LeftAt = now;
            }
            await Db.GroupInvites.Where(i => i.GroupId == groupId && i.Status == GroupInvite.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, GroupInvite.Cancelled), c);
            await Db.SaveChangesAsync(c);
            var deleted = new { group_id = groupId, deleted_by = agentId, deleted_at = Clock.Time(now) };
            foreach (var m in members)
            {
                GroupDeletedEvent.Publish(channel, m.AgentId, groupId);
                await webhooks.EnqueueAsync(m.AgentId, FrameTypes.GroupDeleted, deleted, c);
            }
            return new GroupDeletedResult(groupId, Clock.Time(now));
        }, ct);
}
