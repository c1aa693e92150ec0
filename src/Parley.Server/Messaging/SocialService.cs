using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Realtime;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging;

/// <summary>Mutes (stop pushes only), presence (readable by the target's contacts), reports and the block list.</summary>
internal sealed class SocialService(Writes writes, Ids ids, TimeProvider time, AgentEvents events, Enforcement enforcement)
{
    private ParleyDb Db => writes.Db;
    private long Now => time.NowMs();

    private async Task<Agent> AgentByHandleAsync(string? handle, CancellationToken ct) =>
        await Db.Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Handle == handle && a.Status != AgentStatus.Deleted, ct)
            ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");

    private static MuteView View(Mute m, string? handle) => new(m.Id, handle, m.ConversationId,
        m.MutedUntil is { } until ? Clock.Time(until) : null, Clock.Time(m.CreatedAt));

    public async Task<MuteView> MuteAsync(string agentId, CreateMuteRequest request, CancellationToken ct)
    {
        var v = new Validator();
        if ((request.Handle is null) == (request.ConversationId is null))
        {
            v.Add("handle", "give exactly one of handle and conversation_id");
        }
        if (request.MutedUntil is { } until && until.ToUnixTimeMilliseconds() <= Now)
        {
            v.Add("muted_until", "must be in the future");
        }
        v.ThrowIfInvalid();
        string? mutedAgent = null;
        if (request.Handle is not null)
        {
            mutedAgent = (await AgentByHandleAsync(request.Handle, ct)).Id;
        }
        else if (!await Db.Participants.AnyAsync(p => p.ConversationId == request.ConversationId && p.AgentId == agentId && p.LeftAt == null, ct))
        {
            throw new ApiException(ErrorCodes.ConversationNotFound, "No such conversation.");
        }
        var mute = new Mute
        {
            Id = ids.New("mute"), AgentId = agentId, MutedAgentId = mutedAgent, ConversationId = request.ConversationId,
            MutedUntil = request.MutedUntil?.ToUnixTimeMilliseconds(), CreatedAt = Now,
        };
        await writes.RunAsync(_ =>
        {
            Db.Mutes.Add(mute);
            return Task.CompletedTask;
        }, ct);
        return View(mute, request.Handle);
    }

    public async Task<Contracts.Identity.Page<MuteView>> ListMutesAsync(string agentId, CancellationToken ct)
    {
        var now = Now;
        var rows = await Db.Mutes.AsNoTracking().Where(m => m.AgentId == agentId && (m.MutedUntil == null || m.MutedUntil > now))
            .GroupJoin(Db.Agents.AsNoTracking(), m => m.MutedAgentId, a => a.Id, (m, a) => new { m, a })
            .SelectMany(x => x.a.DefaultIfEmpty(), (x, a) => new { x.m, Handle = a == null ? null : a.Handle })
            .OrderBy(x => x.m.CreatedAt).ToListAsync(ct);
        return new Contracts.Identity.Page<MuteView>([.. rows.Select(r => View(r.m, r.Handle))], null);
    }

    public async Task UnmuteAsync(string agentId, string muteId, CancellationToken ct)
    {
        if (await writes.RunAsync(c => Db.Mutes.Where(m => m.Id == muteId && m.AgentId == agentId).ExecuteDeleteAsync(c), ct) == 0)
        {
            throw ApiErrors.NotFound();
        }
    }

    public async Task<PresenceView> SetPresenceAsync(Agent agent, PresenceRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var status = v.Required("status", request.Status);
        v.OneOf("status", request.Status, "online", "busy", "offline");
        v.Length("custom_message", request.CustomMessage, 0, 200);
        v.ThrowIfInvalid();
        var now = Now;
        await writes.RunAsync(async c =>
        {
            var presence = await Db.Presence.FirstOrDefaultAsync(p => p.AgentId == agent.Id, c);
            presence ??= Db.Presence.Add(new Presence { AgentId = agent.Id, Status = status }).Entity;
            presence.Status = status;
            presence.CustomMessage = request.CustomMessage;
            presence.UpdatedAt = now;
            await NotifyContactsAsync(agent.Id, c);
        }, ct);
        return await PresenceOfAsync(agent, ct);
    }

    /// <summary>Tells the agents this agent has in its contacts (the only ones who may read its presence).</summary>
    public async Task NotifyContactsAsync(string agentId, CancellationToken c)
    {
        foreach (var contact in await Db.Contacts.AsNoTracking().Where(x => x.OwnerId == agentId).Select(x => x.ContactId).ToListAsync(c))
        {
            events.Publish(contact, "presence.update", agentId);
        }
    }

    /// <summary>Readable only by agents the target has in its contacts; anyone else gets AGENT_NOT_FOUND.</summary>
    public async Task<PresenceView> GetPresenceAsync(string viewerId, string handle, CancellationToken ct)
    {
        var target = await AgentByHandleAsync(handle, ct);
        if (target.Id != viewerId && !await Db.Contacts.AnyAsync(x => x.OwnerId == target.Id && x.ContactId == viewerId, ct))
        {
            throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
        }
        return await PresenceOfAsync(target, ct);
    }

    /// <summary>The stated status, except that an open WebSocket on any node makes an agent that did not say otherwise online.</summary>
    public async Task<PresenceView> PresenceOfAsync(Agent agent, CancellationToken ct)
    {
        var stated = await Db.Presence.AsNoTracking().FirstOrDefaultAsync(p => p.AgentId == agent.Id, ct);
        var fresh = Now - SocketSessions.StaleAfterMs;
        var connected = await Db.SocketSessions.AnyAsync(s => s.AgentId == agent.Id && s.SeenAt > fresh, ct);
        var status = stated?.Status switch
        {
            "busy" => "busy",
            "offline" when !connected => "offline",
            _ when connected => "online",
            "online" => "online",
            _ => "offline",
        };
        return new PresenceView(agent.Handle, status, stated?.CustomMessage, stated is null ? null : Clock.Time(stated.UpdatedAt));
    }

    /// <summary>Reports an agent: also blocks it; once per reporter and target (<c>CONFLICT</c> on a repeat).</summary>
    public async Task ReportAsync(string reporterId, string handle, ReportRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Length("reason", request.Reason, 0, 1000);
        v.ThrowIfInvalid();
        var target = await AgentByHandleAsync(handle, ct);
        if (target.Id == reporterId)
        {
            throw ApiErrors.Validation("handle", "an agent cannot report itself");
        }
        await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Enforcement(target.Id));
            if (await Db.Reports.AnyAsync(r => r.ReporterId == reporterId && r.ReportedId == target.Id, c))
            {
                throw ApiErrors.Conflict("You have already reported this agent.");
            }
            var now = Now;
            Db.Reports.Add(new Report { ReporterId = reporterId, ReportedId = target.Id, Reason = request.Reason, CreatedAt = now });
            await Db.Database.ExecuteSqlAsync(
                $"INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ({reporterId}, {target.Id}, {now}) ON CONFLICT DO NOTHING", c);
            await Db.SaveChangesAsync(c);
            await enforcement.EvaluateAsync(target.Id, c);
        }, ct);
    }

    public async Task<Contracts.Identity.Page<BlockView>> BlocksAsync(string agentId, CancellationToken ct)
    {
        var rows = await Db.Blocks.AsNoTracking().Where(b => b.BlockerId == agentId)
            .Join(Db.Agents.AsNoTracking(), b => b.BlockedId, a => a.Id, (b, a) => new { b, a }).OrderBy(x => x.a.Handle).ToListAsync(ct);
        return new Contracts.Identity.Page<BlockView>([.. rows.Select(r => new BlockView(r.a.Handle, r.a.Plate, Clock.Time(r.b.CreatedAt)))], null);
    }
}

internal static class SocketSessions
{
    /// <summary>A node refreshes its sessions every 30 s; a session unseen for 90 s belongs to a dead node.</summary>
    public const long StaleAfterMs = 90_000;
}
