using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Parley.Contracts.Channel;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Groups;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Direct;

internal sealed record SendResult(MessageView Message, bool Created, string? BacklogWarning);

/// <summary>
/// <c>POST /v1/messages</c>, to an agent or into a conversation (direct or group). After the <c>client_msg_id</c>
/// lookup, the checks run in the spec's order and the first that fails answers: the caller's own state, rates, the
/// request's shape here; the rest, with the message and its deliveries, in one transaction in
/// <see cref="DirectSend"/> or <see cref="GroupSend"/>.
/// </summary>
internal sealed class SendService(
    MessageStore messages, RateLimits rates, AgentChannel channel, DirectSend direct, GroupSend groups, Writes writes,
    IOptions<MessagingOptions> options)
{
    private static readonly HashSet<string> Types = ["text", "structured", "file"];
    private MessagingLimits Limits => options.Value.Limits;

    public async Task<SendResult> SendAsync(Caller caller, SendMessageRequest request, CancellationToken ct)
    {
        var sender = caller.Agent!;
        var v = new Validator();
        var clientMsgId = v.Required("client_msg_id", request.ClientMsgId);
        v.Length("client_msg_id", request.ClientMsgId, 1, 128);
        v.ThrowIfInvalid();

        // 0. A retry always gets the original, whatever has changed since. The lookup runs inside the transaction
        // (under the pair's lock); here it runs only when a check below would fail, so a repeat still beats the checks.
        async Task<SendResult?> RepeatAsync() =>
            await messages.BySenderAsync(sender.Id, clientMsgId, ct) is { } original ? Repeat(original, sender) : null;

        // 1. The caller's own state.
        if (sender.Status == AgentStatus.Suspended)
        {
            return await RepeatAsync() ?? throw new ApiException(ErrorCodes.AgentSuspended, "This agent is suspended.");
        }
        if (sender.Paused is PauseMode.Send or PauseMode.Full)
        {
            return await RepeatAsync()
                ?? throw new ApiException(ErrorCodes.AgentPausedByOwner, "The agent's owner has paused it.", ApiErrors.Details(("mode", sender.Paused)));
        }

        // 2. Rate: the agent's own, and a group's shared one.
        var isGroup = request.To is null && request.ConversationId?.StartsWith("grp_", StringComparison.Ordinal) == true;
        try
        {
            rates.Enforce("agent-send", caller.PartitionKey);
            if (isGroup)
            {
                rates.Enforce("group-send", "group:" + request.ConversationId);
            }
        }
        catch (ApiException limited)
        {
            if (await RepeatAsync() is { } repeated)
            {
                return repeated;
            }
            RateLimitWarningEvent.Publish(channel, sender.Id, limited);
            throw;
        }

        // 3. Shape.
        OutgoingMessage message;
        try
        {
            message = ValidateShape(request, sender, clientMsgId);
        }
        catch (ApiException)
        {
            if (await RepeatAsync() is { } repeated)
            {
                return repeated;
            }
            throw;
        }

        try
        {
            return await writes.RunAsync(c => isGroup ? groups.StoreAsync(sender, request.ConversationId!, message, c) : direct.StoreAsync(sender, request, message, c), ct);
        }
        catch (Exception e) when (writes.IsUniqueViolation(e))
        {
            // A concurrent send with this client_msg_id won; answer as a repeat.
            return Repeat((await messages.BySenderAsync(sender.Id, clientMsgId, ct))!, sender);
        }
    }

    /// <summary>The answer to a repeated <c>client_msg_id</c>: the original, with 200.</summary>
    public static SendResult Repeat(Message original, Agent sender) => new(MessageViews.ToView(original, sender.ToActor()), Created: false, null);

    private OutgoingMessage ValidateShape(SendMessageRequest request, Agent sender, string clientMsgId)
    {
        var v = new Validator();
        if ((request.To is null) == (request.ConversationId is null))
        {
            v.Add("to", "give exactly one of to and conversation_id");
        }
        var type = request.Type ?? "text";
        if (!Types.Contains(type))
        {
            v.Add("type", "must be one of: text, structured, file");
        }
        if (request.Content is not { ValueKind: JsonValueKind.Object } content)
        {
            v.Add("content", "must be an object");
            v.ThrowIfInvalid();
            return default!;
        }
        var contentJson = content.GetRawText();
        var metadataJson = request.Metadata is { ValueKind: not JsonValueKind.Null } m ? m.GetRawText() : null;
        var bytes = Encoding.UTF8.GetByteCount(contentJson) + (metadataJson is null ? 0 : Encoding.UTF8.GetByteCount(metadataJson));
        if (bytes > Limits.MaxMessageBytes)
        {
            throw ApiErrors.TooLarge(Limits.MaxMessageBytes, "content and metadata together are over the limit");
        }
        switch (type)
        {
            case "text" when !(content.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String && text.GetString()!.Length > 0):
                v.Add("content.text", "is required for a text message");
                break;
            case "structured" when !content.TryGetProperty("data", out _):
                v.Add("content.data", "is required for a structured message");
                break;
            case "file" when !(content.TryGetProperty("attachment_id", out var file) && file.ValueKind == JsonValueKind.String):
                v.Add("content.attachment_id", "is required for a file message");
                break;
        }
        if (request.To is not null && request.To == sender.Handle)
        {
            v.Add("to", "an agent cannot message itself");
        }
        v.ThrowIfInvalid();
        return new OutgoingMessage(clientMsgId, type, contentJson, metadataJson);
    }
}

/// <summary>A message that passed the shape checks, on its way to the store.</summary>
internal sealed record OutgoingMessage(string ClientMsgId, string Type, string Content, string? Metadata);

/// <summary><c>rate_limit.warning</c> to an agent that hit its send rate: limit, window seconds, retry-after milliseconds.</summary>
internal sealed class RateLimitWarningEvent : IAgentEventRenderer
{
    public string Type => FrameTypes.RateLimitWarning;

    public static void Publish(AgentChannel channel, string agentId, ApiException limited) =>
        channel.Publish(agentId, FrameTypes.RateLimitWarning,
            Convert.ToString(limited.Details?["limit"], CultureInfo.InvariantCulture) ?? "0",
            Convert.ToString(limited.Details?["window_seconds"], CultureInfo.InvariantCulture) ?? "0",
            ((long)(limited.RetryAfter?.TotalMilliseconds ?? 0)).ToString(CultureInfo.InvariantCulture));

    public Task<object?> RenderAsync(IServiceProvider services, IReadOnlyList<string> a, CancellationToken ct) =>
        Task.FromResult<object?>(new
        {
            limit = long.Parse(a[0], CultureInfo.InvariantCulture),
            window_seconds = long.Parse(a[1], CultureInfo.InvariantCulture),
            retry_after_ms = long.Parse(a[2], CultureInfo.InvariantCulture),
        });
}
