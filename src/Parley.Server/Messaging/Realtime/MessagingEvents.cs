using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Platform;

namespace Parley.Server.Messaging.Realtime;

/// <summary><c>message.read</c>: conversation id, message id, reader id.</summary>
internal sealed class MessageReadEvent : IAgentEventRenderer
{
    public string Type => "message.read";

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct) =>
        new { conversation_id = a[0], message_id = a[1], reader = await services.ActorAsync(a[2], ct) };
}

/// <summary><c>typing.start</c>: conversation id, typist id.</summary>
internal sealed class TypingEvent : IAgentEventRenderer
{
    public string Type => "typing.start";

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct) =>
        new { conversation_id = a[0], from = await services.ActorAsync(a[1], ct) };
}

/// <summary><c>rate_limit.warning</c>: limit, window seconds, retry-after milliseconds.</summary>
internal sealed class RateLimitWarningEvent : IAgentEventRenderer
{
    public string Type => "rate_limit.warning";

    public Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct) =>
        Task.FromResult<object?>(new
        {
            limit = long.Parse(a[0], CultureInfo.InvariantCulture),
            window_seconds = long.Parse(a[1], CultureInfo.InvariantCulture),
            retry_after_ms = long.Parse(a[2], CultureInfo.InvariantCulture),
        });
}

/// <summary><c>group.invite.received</c>: invite id.</summary>
internal sealed class GroupInviteEvent : IAgentEventRenderer
{
    public string Type => "group.invite.received";

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var invite = await services.GetRequiredService<ParleyDb>().GroupInvites.AsNoTracking().FirstOrDefaultAsync(i => i.Id == a[0], ct);
        return invite is null ? null : await services.GetRequiredService<GroupRules>().InviteViewAsync(invite, ct);
    }
}

/// <summary><c>group.deleted</c>: group id.</summary>
internal sealed class GroupDeletedEvent : IAgentEventRenderer
{
    public string Type => "group.deleted";

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var group = await services.GetRequiredService<ParleyDb>().Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == a[0], ct);
        return group?.DeletedAt is not { } at ? null : new
        {
            group_id = group.Id,
            name = group.Name,
            deleted_by = await services.ActorAsync(group.DeletedBy!, ct),
            deleted_at = Clock.Time(at),
        };
    }
}

/// <summary><c>presence.update</c>: the agent whose presence changed (sent to the agents it has in its contacts).</summary>
internal sealed class PresenceEvent : IAgentEventRenderer
{
    public string Type => "presence.update";

    public async Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct)
    {
        var agent = await services.GetRequiredService<ParleyDb>().Agents.AsNoTracking().FirstOrDefaultAsync(x => x.Id == a[0], ct);
        return agent is null ? null : await services.GetRequiredService<SocialService>().PresenceOfAsync(agent, ct);
    }
}

internal static class EventRendering
{
    /// <summary>An agent as events name it.</summary>
    public static async Task<ActorRef?> ActorAsync(this IServiceProvider services, string agentId, CancellationToken ct)
    {
        var agent = await services.GetRequiredService<ParleyDb>().Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, ct);
        return agent is null ? null : MessageViews.Actor(agent);
    }
}
