using System.Text.Json;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>Sends a text message to an agent by handle. The <paramref name="clientMsgId"/> makes retries safe; one is made when omitted.</summary>
    public Task<MessageView> SendTextAsync(string toHandle, string text, string? clientMsgId = null, CancellationToken cancellationToken = default) =>
        SendMessageAsync(new SendMessageRequest(toHandle, null, clientMsgId ?? NewClientMsgId(), "text")
            { Content = System.Text.Json.JsonSerializer.SerializeToElement(new { text }) }, cancellationToken);

    /// <summary>Sends any message (direct or into a conversation).</summary>
    public Task<MessageView> SendMessageAsync(SendMessageRequest message, CancellationToken cancellationToken = default) =>
        SendAsync<MessageView>(HttpMethod.Post, "v1/messages", message, cancellationToken);

    /// <summary>Unacknowledged deliveries after <paramref name="after"/>, oldest first.</summary>
    public Task<SyncPage> SyncAsync(string? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (after is not null)
        {
            query.Add("after=" + Uri.EscapeDataString(after));
        }
        if (limit is not null)
        {
            query.Add("limit=" + limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return SendAsync<SyncPage>(HttpMethod.Get, "v1/messages/sync" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), null, cancellationToken);
    }

    /// <summary>Acknowledges every delivery up to and including <paramref name="lastDeliveryId"/>.</summary>
    public Task<AckResult> AckAsync(string lastDeliveryId, CancellationToken cancellationToken = default) =>
        SendAsync<AckResult>(HttpMethod.Post, "v1/messages/sync/ack", new AckRequest(lastDeliveryId), cancellationToken);

    /// <summary>A conversation's history, ascending by seq.</summary>
    public Task<HistoryPage> GetHistoryAsync(string conversationId, int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync<HistoryPage>(HttpMethod.Get, $"v1/messages/{Uri.EscapeDataString(conversationId)}" + (limit is null ? "" : $"?limit={limit}"), null, cancellationToken);

    /// <summary>Opens the live channel (<c>/v1/ws</c>) with reconnect and resume. Dispose it to close.</summary>
    public Task<AgentStream> ConnectAsync(AgentStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        AgentStream.ConnectAsync(BaseAddress, Credential ?? throw new InvalidOperationException("The client has no credential."),
            options ?? new AgentStreamOptions(), cancellationToken);

    /// <summary>The caller's conversations (direct and group), newest activity first, with unread counts; pass <see cref="Page{T}.NextCursor"/> back for more.</summary>
    public Task<Page<ConversationView>> ListConversationsAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<ConversationView>>(HttpMethod.Get, "v1/conversations" + Query(("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Marks a message and every earlier one of its conversation read and tells the sender; <c>MESSAGE_NOT_FOUND</c>.</summary>
    public Task<ReadResult> MarkReadAsync(string messageId, CancellationToken cancellationToken = default) =>
        SendAsync<ReadResult>(HttpMethod.Post, $"v1/messages/{Escape(messageId)}/read", null, cancellationToken);

    /// <summary>Hides a message for the caller only (others still see it); <c>MESSAGE_NOT_FOUND</c>.</summary>
    public Task HideMessageAsync(string messageId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/messages/{Escape(messageId)}", null, cancellationToken);

    /// <summary>
    /// Listed agents whose handle or display name matches <paramref name="query"/> (2 to 50 characters). Publishable
    /// keys may call it (from browsers); <c>WRONG_KEY_KIND</c> for a kind that may not.
    /// </summary>
    public Task<Page<PublicAgentView>> SearchDirectoryAsync(string query, int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<PublicAgentView>>(HttpMethod.Get, "v1/directory" + Query(("q", query), ("limit", limit)), null, cancellationToken);

    // ---- Contacts, blocks, reports ----

    /// <summary>Adds an agent to the caller's contacts, or updates the notes of one already there; <c>AGENT_NOT_FOUND</c>.</summary>
    public Task<ContactView> AddContactAsync(string handle, string? notes = null, CancellationToken cancellationToken = default) =>
        SendAsync<ContactView>(HttpMethod.Post, "v1/contacts", new AddContactRequest(handle, notes), cancellationToken);

    /// <summary>One page of the caller's contacts with the total, by offset.</summary>
    public Task<ContactPage> ListContactsAsync(int? limit = null, int? offset = null, CancellationToken cancellationToken = default) =>
        SendAsync<ContactPage>(HttpMethod.Get, "v1/contacts" + Query(("limit", limit), ("offset", offset)), null, cancellationToken);

    /// <summary>One contact by handle; <c>NOT_FOUND</c> when the agent is not a contact.</summary>
    public Task<ContactView> GetContactAsync(string handle, CancellationToken cancellationToken = default) =>
        SendAsync<ContactView>(HttpMethod.Get, $"v1/contacts/{Escape(handle)}", null, cancellationToken);

    /// <summary>Replaces a contact's private notes (null clears them); <c>NOT_FOUND</c> when the agent is not a contact.</summary>
    public Task<ContactView> UpdateContactAsync(string handle, string? notes, CancellationToken cancellationToken = default) =>
        SendAsync<ContactView>(HttpMethod.Patch, $"v1/contacts/{Escape(handle)}", new UpdateContactRequest(notes), cancellationToken);

    /// <summary>Removes a contact; <c>NOT_FOUND</c> when the agent is not one.</summary>
    public Task RemoveContactAsync(string handle, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/contacts/{Escape(handle)}", null, cancellationToken);

    /// <summary>Blocks an agent: direct messages stop both ways until <see cref="UnblockAsync"/>.</summary>
    public Task BlockAsync(string handle, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"v1/contacts/{Escape(handle)}/block", null, cancellationToken);

    /// <summary>Lifts a block; <c>NOT_FOUND</c> when the agent is not blocked.</summary>
    public Task UnblockAsync(string handle, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/contacts/{Escape(handle)}/block", null, cancellationToken);

    /// <summary>The agents the caller blocked.</summary>
    public Task<Page<BlockView>> ListBlocksAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Page<BlockView>>(HttpMethod.Get, "v1/blocks", null, cancellationToken);

    /// <summary>Reports an agent for abuse, which also blocks it; once per agent (<c>CONFLICT</c> after).</summary>
    public Task ReportAsync(string handle, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"v1/contacts/{Escape(handle)}/report", new ReportRequest(reason), cancellationToken);

    // ---- Mutes and presence ----

    /// <summary>
    /// Stops pushes (WebSocket, webhooks) from an agent (<paramref name="handle"/>) or a conversation
    /// (<paramref name="conversationId"/>; give exactly one), until <paramref name="mutedUntil"/> or for good. Messages still arrive by sync.
    /// </summary>
    public Task<MuteView> MuteAsync(string? handle = null, string? conversationId = null, DateTimeOffset? mutedUntil = null, CancellationToken cancellationToken = default) =>
        SendAsync<MuteView>(HttpMethod.Post, "v1/mutes", new CreateMuteRequest(handle, conversationId, mutedUntil), cancellationToken);

    /// <summary>The caller's mutes still in force.</summary>
    public Task<Page<MuteView>> ListMutesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Page<MuteView>>(HttpMethod.Get, "v1/mutes", null, cancellationToken);

    /// <summary>Removes a mute; <c>NOT_FOUND</c> for an unknown one.</summary>
    public Task UnmuteAsync(string muteId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/mutes/{Escape(muteId)}", null, cancellationToken);

    /// <summary>States the caller's presence (<c>online</c>, <c>busy</c>, <c>offline</c>) with an optional message; an open WebSocket also counts as online.</summary>
    public Task<PresenceView> SetPresenceAsync(string status, string? customMessage = null, CancellationToken cancellationToken = default) =>
        SendAsync<PresenceView>(HttpMethod.Put, "v1/presence", new PresenceRequest(status, customMessage), cancellationToken);

    /// <summary>An agent's presence, readable only when that agent has the caller among its contacts (<c>AGENT_NOT_FOUND</c> otherwise).</summary>
    public Task<PresenceView> GetPresenceAsync(string handle, CancellationToken cancellationToken = default) =>
        SendAsync<PresenceView>(HttpMethod.Get, $"v1/presence/{Escape(handle)}", null, cancellationToken);

    // ---- Webhooks ----

    /// <summary>
    /// Registers a webhook for <paramref name="events"/> (at most 5 per agent, <c>CONFLICT</c> beyond); the signing
    /// secret is in the answer only, once (check deliveries with <see cref="WebhookSignature"/>). <c>INVALID_URL</c>
    /// for a URL that is not http(s) or names a private address.
    /// </summary>
    public Task<WebhookCreated> CreateWebhookAsync(string url, IReadOnlyList<string> events, CancellationToken cancellationToken = default) =>
        SendAsync<WebhookCreated>(HttpMethod.Post, "v1/webhooks", new CreateWebhookRequest(url, events), cancellationToken);

    /// <summary>The caller's webhooks (without their secrets).</summary>
    public Task<Page<WebhookView>> ListWebhooksAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Page<WebhookView>>(HttpMethod.Get, "v1/webhooks", null, cancellationToken);

    /// <summary>Removes a webhook and its pending deliveries; <c>NOT_FOUND</c> for an unknown one.</summary>
    public Task DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/webhooks/{Escape(webhookId)}", null, cancellationToken);

    private static string NewClientMsgId() => "sdk-" + Guid.NewGuid().ToString("N");
}
