using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Channel;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Contacts;

/// <summary>
/// Presence: what an agent states (online, busy, offline), except that an open socket on any node makes an agent that
/// did not say otherwise online. Readable only by the agents the target has in its contacts, who are told of changes.
/// </summary>
internal sealed class PresenceService(Writes writes, TimeProvider time, AgentChannel channel)
{
    private ParleyDb Db => writes.Db;

    public async Task<PresenceView> SetAsync(Agent agent, PresenceRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var status = v.Required("status", request.Status);
        v.OneOf("status", request.Status, "online", "busy", "offline");
        v.Length("custom_message", request.CustomMessage, 0, 200);
        v.ThrowIfInvalid();
        var now = time.NowMs();
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
            PresenceEvent.Publish(channel, contact, agentId);
        }
    }

    /// <summary>Readable only by agents the target has in its contacts; anyone else gets AGENT_NOT_FOUND.</summary>
    public async Task<PresenceView> GetAsync(string viewerId, string handle, CancellationToken ct)
    {
        var target = await AgentQueries.ByNameAsync(Db, handle, ct) ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
        if (target.Id != viewerId && !await Db.Contacts.AnyAsync(x => x.OwnerId == target.Id && x.ContactId == viewerId, ct))
        {
            throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
        }
        return await PresenceOfAsync(target, ct);
    }

    public async Task<PresenceView> PresenceOfAsync(Agent agent, CancellationToken ct)
    {
        var stated = await Db.Presence.AsNoTracking().FirstOrDefaultAsync(p => p.AgentId == agent.Id, ct);
        var connected = await ChannelQueries.IsConnectedAsync(Db, agent.Id, time.NowMs(), ct);
        var status = stated?.Status switch
        {
            "busy" => "busy",
            "offline" when !connected => "offline",
            _ when connected => "online",
            "online" => "online",
            _ => "offline",
        };
        return new PresenceView(agent.Handle, status, stated?.CustomMessage, Clock.Time(stated?.UpdatedAt));
    }
}

/// <summary>An agent's first socket opened or its last closed: its contacts see its presence change.</summary>
internal sealed class PresenceOnline(PresenceService presence) : IAgentOnlineListener
{
    public Task OnlineChangedAsync(string agentId, CancellationToken cancellationToken) => presence.NotifyContactsAsync(agentId, cancellationToken);
}

/// <summary><c>presence.update</c> frames from agents are accepted and ignored: presence is set with <c>PUT /v1/presence</c>.</summary>
internal sealed class PresenceFrame : IFrameHandler
{
    public string Type => FrameTypes.PresenceUpdate;

    public Task<Frame?> HandleAsync(IServiceProvider services, string agentId, JsonElement frame, CancellationToken ct) => Task.FromResult<Frame?>(null);
}

/// <summary><c>presence.update</c> to a contact: the agent whose presence changed.</summary>
internal sealed class PresenceEvent : IAgentEventRenderer
{
    public string Type => FrameTypes.PresenceUpdate;

    public static void Publish(AgentChannel channel, string contactId, string agentId) => channel.Publish(contactId, FrameTypes.PresenceUpdate, agentId);

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var agent = await AgentQueries.ByIdAsync(services.GetRequiredService<ParleyDb>(), a[0], ct);
        return agent is null ? null : await services.GetRequiredService<PresenceService>().PresenceOfAsync(agent, ct);
    }
}
