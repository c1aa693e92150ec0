using Parley.Server.Data;
using Parley.Server.Platform.Cluster;

namespace Parley.Server.Messaging.Realtime;

/// <summary>
/// Turns the ids an event was published with into the payload of its WebSocket frame, reading the database as it
/// needs. Every module registers one per event type it pushes (<c>AddAgentEvent&lt;T&gt;()</c>).
/// </summary>
internal interface IAgentEventRenderer
{
    string Type { get; }

    /// <summary>The frame's payload, or null to push nothing.</summary>
    Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

/// <summary>
/// Publishes an ephemeral event to an agent's sockets on every node, after the current write commits (at once when
/// there is none). The bus carries ids and numbers only; the node holding the socket renders the payload.
/// </summary>
internal sealed class AgentEvents(Writes writes, IClusterBus bus)
{
    /// <summary>Payload: <c>&lt;agent id&gt;|&lt;event type&gt;|&lt;argument&gt;…</c>.</summary>
    public const string Topic = "agent.event";

    public void Publish(string agentId, string type, params string[] arguments) =>
        writes.AfterCommit(() => bus.PublishAsync(Topic, string.Join('|', [agentId, type, .. arguments]), CancellationToken.None));
}

internal static class AgentEventExtensions
{
    public static IServiceCollection AddAgentEvent<T>(this IServiceCollection services) where T : class, IAgentEventRenderer =>
        services.AddSingleton<IAgentEventRenderer, T>();
}
