using Parley.Server.Data;
using Parley.Server.Platform.Cluster;

namespace Parley.Server.Channel;

/// <summary>
/// The one way a module pushes to agents' sockets, on every node, after the current write commits (at once when there
/// is none), so a push never announces a write that rolled back. The cluster bus carries ids and numbers only; the
/// node holding the socket renders the frame from the database.
/// </summary>
internal sealed class AgentChannel(Writes writes, IClusterBus bus)
{
    /// <summary>Payload: <c>&lt;agent id&gt;|&lt;event type&gt;|&lt;argument&gt;…</c>.</summary>
    public const string EventTopic = "agent.event";

    /// <summary>Payload: the agent id whose feeds have something new.</summary>
    public const string FeedTopic = "agent.feed";

    /// <summary>
    /// An ephemeral event: the renderer registered for <paramref name="type"/> turns the arguments into the frame's
    /// payload. Sockets that are not open miss it; what must not be missed belongs in a feed.
    /// </summary>
    public void Publish(string agentId, string type, params string[] arguments) =>
        writes.AfterCommit(() => bus.PublishAsync(EventTopic, string.Join('|', [agentId, type, .. arguments]), CancellationToken.None));

    /// <summary>The agent's durable feeds have something new: its sockets read them from their cursors.</summary>
    public void SignalFeed(string agentId) =>
        writes.AfterCommit(() => bus.PublishAsync(FeedTopic, agentId, CancellationToken.None));
}
