using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Parley.Client;

/// <summary>
/// One event of a workspace's owner event stream: its <see cref="Id"/> (give it back as <c>Last-Event-ID</c>), its
/// <see cref="Type"/> (see <see cref="Parley.Contracts.Events.OwnerEventTypes"/>) and its small summary; the API holds
/// the truth.
/// </summary>
public sealed record OwnerEvent(string Id, string Type, JsonElement Data);

public sealed partial class ParleyClient
{
    /// <summary>
    /// The workspace's owner events as they happen (owners). When the connection drops the stream reconnects on its own
    /// with <c>Last-Event-ID</c>, so nothing of the last 10 minutes is missed; start from <paramref name="lastEventId"/>
    /// to resume an earlier stream; <paramref name="connected"/>, when given, is called each time the server has
    /// accepted the stream (from then on nothing is missed). An error answer (a revoked token, a workspace you may not see) ends it with
    /// <see cref="ParleyApiException"/>; cancelling ends it quietly.
    /// </summary>
    public async IAsyncEnumerable<OwnerEvent> StreamOwnerEventsAsync(string workspaceId, string? lastEventId = null, Action? connected = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var stream = await OpenOwnerEventsAsync(workspaceId, lastEventId, cancellationToken);
            if (stream is null)
            {
                // The server was unreachable: wait and try again.
                failures++;
                await Task.Delay(Backoff(failures), Options.Time, cancellationToken);
                continue;
            }
            connected?.Invoke();
            using (stream)
            {
                var items = SseParser.Create(stream).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                await using (items)
                {
                    while (true)
                    {
                        bool more;
                        try
                        {
                            more = await items.MoveNextAsync();
                        }
                        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                        {
                            more = false;
                        }
                        if (!more)
                        {
                            break;
                        }
                        var item = items.Current;
                        if (string.IsNullOrEmpty(item.EventId) || item.EventType == SseParser.EventTypeDefault)
                        {
                            continue;
                        }
                        failures = 0;
                        lastEventId = item.EventId;
                        using var data = JsonDocument.Parse(item.Data);
                        yield return new OwnerEvent(item.EventId, item.EventType, data.RootElement.Clone());
                    }
                }
            }
            failures++;
            await Task.Delay(Backoff(failures), Options.Time, cancellationToken);
        }
    }

    private async Task<Stream?> OpenOwnerEventsAsync(string workspaceId, string? lastEventId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"v1/workspaces/{Escape(workspaceId)}/events", UriKind.Relative));
        if (Credential is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Credential);
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var error = await ReadErrorAsync(response, cancellationToken);
                if (error.Retryable)
                {
                    return null;
                }
                throw error;
            }
        }
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }
}
