using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Contacts;

/// <summary>Mutes of an agent or a conversation: they stop pushes (socket, webhooks) only; sync still has everything.</summary>
internal sealed class MuteService(Writes writes, Ids ids, TimeProvider time)
{
    private ParleyDb Db => writes.Db;

    private static MuteView View(Mute m, string? handle) =>
        new(m.Id, handle, m.ConversationId, Clock.Time(m.MutedUntil), Clock.Time(m.CreatedAt));

    public async Task<MuteView> MuteAsync(string agentId, CreateMuteRequest request, CancellationToken ct)
    {
        var now = time.NowMs();
        var v = new Validator();
        if ((request.Handle is null) == (request.ConversationId is null))
        {
            v.Add("handle", "give exactly one of handle and conversation_id");
        }
        if (request.MutedUntil is { } until && until.ToUnixTimeMilliseconds() <= now)
        {
            v.Add("muted_until", "must be in the future");
        }
        v.ThrowIfInvalid();
        Agent? mutedAgent = null;
        if (request.Handle is not null)
        {
            mutedAgent = await AgentQueries.ByNameAsync(Db, request.Handle, ct) ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
        }
        else if (!await Db.Participants.AnyAsync(p => p.ConversationId == request.ConversationId && p.AgentId == agentId && p.LeftAt == null, ct))
        {
            throw new ApiException(ErrorCodes.ConversationNotFound, "No such conversation.");
        }
        var mute = new Mute
        {
            Id = ids.New("mute"), AgentId = agentId, MutedAgentId = mutedAgent?.Id, ConversationId = request.ConversationId,
            MutedUntil = request.MutedUntil?.ToUnixTimeMilliseconds(), CreatedAt = time.NowMs(),
        };
        await writes.RunAsync(_ =>
        {
            Db.Mutes.Add(mute);
            return Task.CompletedTask;
        }, ct);
        return View(mute, mutedAgent?.Handle);
    }

    public async Task<Page<MuteView>> ListAsync(string agentId, CancellationToken ct)
    {
        var now = time.NowMs();
        var rows = await Db.Mutes.AsNoTracking().Where(m => m.AgentId == agentId && (m.MutedUntil == null || m.MutedUntil > now))
            .GroupJoin(AgentQueries.All(Db), m => m.MutedAgentId, a => a.Id, (m, a) => new { m, a })
            .SelectMany(x => x.a.DefaultIfEmpty(), (x, a) => new { x.m, Handle = a == null ? null : a.Handle })
            .OrderBy(x => x.m.CreatedAt).ToListAsync(ct);
        return new Page<MuteView>([.. rows.Select(r => View(r.m, r.Handle))], null);
    }

    public async Task UnmuteAsync(string agentId, string muteId, CancellationToken ct)
    {
        if (await writes.RunAsync(c => Db.Mutes.Where(m => m.Id == muteId && m.AgentId == agentId).ExecuteDeleteAsync(c), ct) == 0)
        {
            throw ApiErrors.NotFound();
        }
    }
}
