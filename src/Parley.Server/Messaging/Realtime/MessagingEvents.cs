using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Messaging;
using Parley.Server.Data;

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

internal static class EventRendering
{
    /// <summary>An agent as events name it.</summary>
    public static async Task<ActorRef?> ActorAsync(this IServiceProvider services, string agentId, CancellationToken ct)
    {
        var agent = await services.GetRequiredService<ParleyDb>().Agents.AsNoTracking().FirstOrDefaultAsync(a => a.Id == agentId, ct);
        return agent is null ? null : MessageViews.Actor(agent);
    }
}
