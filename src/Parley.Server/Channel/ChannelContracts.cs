using System.Text.Json;
using Parley.Contracts.Channel;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Channel;

/// <summary>
/// Turns the ids an event was published with into the payload of its frame, reading the database as it needs. Every
/// module registers one per event type it pushes (<c>AddAgentEvent&lt;T&gt;()</c>).
/// </summary>
internal interface IAgentEventRenderer
{
    string Type { get; }

    /// <summary>The frame's payload, or null to push nothing.</summary>
    Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

/// <summary>What one read of a feed found: the frames to send, and the cursor after them.</summary>
/// <param name="Frames">Frames to send, oldest first (some items read may be skipped, e.g. muted messages).</param>
/// <param name="Cursor">Where the next read starts (past skipped items too).</param>
/// <param name="HasMore">Whether another read may find more at once.</param>
internal sealed record FeedPage(IReadOnlyList<Frame> Frames, long Cursor, bool HasMore);

/// <summary>
/// A durable source of frames for an agent's sockets (messaging's deliveries). Every new socket reads it from the
/// start, and again whenever the feed is signalled (<see cref="AgentChannel.SignalFeed"/>); a signal only says "look
/// again", so nothing is missed however signals arrive.
/// </summary>
internal interface IAgentFeed
{
    Task<FeedPage> ReadAsync(IServiceProvider services, string agentId, long after, CancellationToken cancellationToken);
}

/// <summary>Handles one type of frame an agent sends (<c>AddFrameHandler&lt;T&gt;()</c>).</summary>
internal interface IFrameHandler
{
    string Type { get; }

    /// <summary>The reply to send, or null for none; an <see cref="ApiException"/> is answered with an error frame.</summary>
    Task<Frame?> HandleAsync(IServiceProvider services, string agentId, JsonElement frame, CancellationToken cancellationToken);
}

/// <summary>Told, inside the write that records it, when an agent's first socket on this node opens or its last one closes.</summary>
internal interface IAgentOnlineListener
{
    Task OnlineChangedAsync(string agentId, CancellationToken cancellationToken);
}

/// <summary>The frames the channel builds itself: every error frame comes from here.</summary>
internal static class ChannelFrames
{
    public static Frame Error(ApiException error) => new(FrameTypes.Error, new ErrorFrame(error.Code, error.Message));

    /// <summary>A frame's <c>type</c>; null when the frame is not an object or its type not a string.</summary>
    public static string? Type(JsonElement frame) =>
        frame.ValueKind == JsonValueKind.Object && frame.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            ? type.GetString()
            : null;

    /// <summary>A string field of a frame, at its top level or inside its <c>payload</c>; null when absent or not a string.</summary>
    public static string? Field(JsonElement frame, string name)
    {
        if (frame.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var value = frame.TryGetProperty(name, out var top) ? top
            : frame.TryGetProperty("payload", out var payload) && payload.ValueKind == JsonValueKind.Object
                && payload.TryGetProperty(name, out var inner) ? inner
            : default;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}

/// <summary>The one rule of what may be pushed to an agent: nothing while its owner paused it <c>full</c>.</summary>
internal static class PushGate
{
    public static async Task<bool> IsOpenAsync(ParleyDb db, string agentId, CancellationToken ct) =>
        await AgentQueries.PauseAsync(db, agentId, ct) != PauseMode.Full;
}
