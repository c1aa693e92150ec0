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

    private static string NewClientMsgId() => "sdk-" + Guid.NewGuid().ToString("N");
}
