using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Parley.Contracts.Json;
using Parley.Contracts.Sessions;

namespace Parley.Client;

/// <summary>
/// One event of a streamed answer: <c>delta {text}</c>, <c>tool_call {id, site_id, tool, arguments}</c>,
/// <c>tool_result {id, ok, result | error}</c>, <c>done {message_id, usage, credits}</c>, or <c>error {error}</c> (the
/// catalog envelope's body; the stream ends after it).
/// </summary>
public sealed record SessionStreamEvent(string Type, JsonElement Data)
{
    /// <summary>The text of a <c>delta</c>, else null.</summary>
    public string? Text => Type == "delta" && Data.TryGetProperty("text", out var text) ? text.GetString() : null;
}

public sealed partial class ParleyClient
{
    /// <summary>Adds an OpenAI-compatible model provider to a workspace (owners); its key goes into the vault.</summary>
    public Task<ModelProviderView> CreateModelProviderAsync(string workspaceId, CreateModelProviderRequest provider, CancellationToken cancellationToken = default) =>
        SendAsync<ModelProviderView>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/models", provider, cancellationToken);

    /// <summary>The workspace's model providers.</summary>
    public Task<ModelProviderList> ListModelProvidersAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<ModelProviderList>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/models", null, cancellationToken);

    /// <summary>One model provider of the workspace; <c>NOT_FOUND</c> for an unknown one.</summary>
    public Task<ModelProviderView> GetModelProviderAsync(string workspaceId, string providerId, CancellationToken cancellationToken = default) =>
        SendAsync<ModelProviderView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/models/{Escape(providerId)}", null, cancellationToken);

    /// <summary>Changes a provider's name, models or default model (admins); a null field stays as it is. Its key is not changed here.</summary>
    public Task<ModelProviderView> UpdateModelProviderAsync(string workspaceId, string providerId, UpdateModelProviderRequest change,
        CancellationToken cancellationToken = default) =>
        SendAsync<ModelProviderView>(HttpMethod.Patch, $"v1/workspaces/{Escape(workspaceId)}/models/{Escape(providerId)}", change, cancellationToken);

    /// <summary>Removes a model provider (admins); its key stays in the vault. <c>NOT_FOUND</c> for an unknown one.</summary>
    public Task DeleteModelProviderAsync(string workspaceId, string providerId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/models/{Escape(providerId)}", null, cancellationToken);

    /// <summary>Starts a session with a model (an agent's workspace is its own; a person names one, or has only one).</summary>
    public Task<SessionView> CreateSessionAsync(CreateSessionRequest session, CancellationToken cancellationToken = default) =>
        SendAsync<SessionView>(HttpMethod.Post, "v1/sessions", session, cancellationToken);

    /// <summary>One session.</summary>
    public Task<SessionView> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<SessionView>(HttpMethod.Get, $"v1/sessions/{Escape(sessionId)}", null, cancellationToken);

    /// <summary>The session's messages, oldest first.</summary>
    public Task<SessionMessageList> ListSessionMessagesAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<SessionMessageList>(HttpMethod.Get, $"v1/sessions/{Escape(sessionId)}/messages", null, cancellationToken);

    /// <summary>Sends a message and waits for the whole answer.</summary>
    public Task<SessionAnswer> SendSessionMessageAsync(string sessionId, string content, CancellationToken cancellationToken = default) =>
        SendAsync<SessionAnswer>(HttpMethod.Post, $"v1/sessions/{Escape(sessionId)}/messages", new SendSessionMessageRequest(content, false), cancellationToken);

    /// <summary>
    /// Sends a message and yields the answer's events as they arrive. An error before the answer starts (an expired
    /// session, another answer in progress, no credits) is thrown as <see cref="ParleyApiException"/>; one after it is an
    /// <c>error</c> event. Cancelling stops the answer (the message is stored <c>aborted</c>).
    /// </summary>
    public async IAsyncEnumerable<SessionStreamEvent> StreamSessionMessageAsync(string sessionId, string content,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"v1/sessions/{Escape(sessionId)}/messages", UriKind.Relative))
        {
            Content = JsonContent.Create(new SendSessionMessageRequest(content, true), options: ParleyJson.Options),
        };
        if (Credential is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Credential);
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ReadErrorAsync(response, cancellationToken);
        }
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? type = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && type is not null)
            {
                using var data = JsonDocument.Parse(line[6..]);
                var item = new SessionStreamEvent(type, data.RootElement.Clone());
                yield return item;
                if (type is "done" or "error")
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>Removes a session and its messages (its creator).</summary>
    public Task DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/sessions/{Escape(sessionId)}", null, cancellationToken);
}
