using System.Net;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;
using Parley.Tests.Wake;

namespace Parley.Tests.OwnerEvents;

/// <summary>The owner event stream: live events of the workspace over SSE, a reconnect with Last-Event-ID replaying what was missed, nobody else's.</summary>
public sealed class OwnerEventStreamTests(WakeServer server) : IClassFixture<WakeServer>
{
    private HttpClient Http => server.Http;

    /// <summary>An open stream whose events are read in the background.</summary>
    private sealed class Stream : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly HttpResponseMessage _response;
        private readonly System.Threading.Channels.Channel<(string Id, string Type, JsonElement Data)> _events =
            System.Threading.Channels.Channel.CreateUnbounded<(string, string, JsonElement)>();
        private readonly Task _reading;

        private Stream(HttpResponseMessage response)
        {
            _response = response;
            _reading = ReadAsync();
        }

        public static async Task<Stream> OpenAsync(HttpClient http, string workspaceId, string token, string? lastEventId = null)
        {
            var request = Infrastructure.Http.Request(HttpMethod.Get, $"/v1/workspaces/{workspaceId}/events", null, token);
            if (lastEventId is not null)
            {
                request.Headers.Add("Last-Event-ID", lastEventId);
            }
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            return new Stream(response);
        }

        private async Task ReadAsync()
        {
            try
            {
                using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
                string? id = null, type = null;
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    if (line.StartsWith("id: ", StringComparison.Ordinal))
                    {
                        id = line[4..];
                    }
                    else if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        type = line[7..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        await _events.Writer.WriteAsync((id!, type!, JsonDocument.Parse(line[6..]).RootElement.Clone()));
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
            {
            }
        }

        public async Task<(string Id, string Type, JsonElement Data)> NextAsync(string type)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (true)
            {
                var item = await _events.Reader.ReadAsync(deadline.Token);
                if (item.Type == type)
                {
                    return item;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _response.Dispose();
            await _reading;
            _stop.Dispose();
        }
    }

    private async Task<string> StartRunAsync(Owner owner, TestAgent agent) =>
        (await (await Http.PostAsync($"/v1/agents/{agent.Handle}/runs", null, owner.AccessToken)).OkAsync(HttpStatusCode.Created)).Id();

    [Fact]
    public async Task OwnersSeeTheirWorkspacesEventsLiveAndGetWhatTheyMissedOnReconnect()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        string lastSeen;
        await using (var stream = await Stream.OpenAsync(Http, owner.WorkspaceId, owner.AccessToken))
        {
            var runId = await StartRunAsync(owner, agent);
            var queued = await stream.NextAsync("run.updated");
            Assert.Equal((runId, "queued"), (queued.Data.GetProperty("run_id").GetString(), queued.Data.GetProperty("status").GetString()));
            Assert.StartsWith("evt_", queued.Id);
            await (await Http.PostAsync($"/v1/runs/{runId}/cancel", null, owner.AccessToken)).OkAsync();
            var cancelled = await stream.NextAsync("run.updated");
            Assert.Equal("cancelled", cancelled.Data.GetProperty("status").GetString());
            lastSeen = cancelled.Id;
        }

        // While nobody listens, two more things happen; the reconnect gets exactly those, then live ones.
        var missed = await StartRunAsync(owner, agent);
        await (await Http.PostAsync($"/v1/runs/{missed}/cancel", null, owner.AccessToken)).OkAsync();
        await using (var again = await Stream.OpenAsync(Http, owner.WorkspaceId, owner.AccessToken, lastSeen))
        {
            var first = await again.NextAsync("run.updated");
            Assert.Equal((missed, "queued"), (first.Data.GetProperty("run_id").GetString(), first.Data.GetProperty("status").GetString()));
            Assert.Equal("cancelled", (await again.NextAsync("run.updated")).Data.GetProperty("status").GetString());
            var live = await StartRunAsync(owner, agent);
            Assert.Equal(live, (await again.NextAsync("run.updated")).Data.GetProperty("run_id").GetString());
        }

        // Another owner has no such workspace; an agent's key opens no owner stream.
        var stranger = await server.SignupAsync();
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/events", stranger.AccessToken)).ErrorAsync(ErrorCodes.WorkspaceNotFound);
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/events", agent.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
    }
}
