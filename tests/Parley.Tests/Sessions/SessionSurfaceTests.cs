using System.Net;
using Parley.Client;
using Parley.Contracts.Errors;
using Parley.Contracts.Sessions;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sessions;

/// <summary>Sessions through the SDK (an async stream of events) and through <c>parley chat</c> (the real process, typing at it).</summary>
public sealed class SessionSurfaceTests(SessionServer server) : IClassFixture<SessionServer>
{
    [Fact]
    public async Task TheSdkStreamsAnAnswerAndParleyChatPrintsOne()
    {
        var owner = await server.SignupAsync();
        await using var provider = await FakeModelProvider.StartAsync();
        await (await server.Http.PostAsync($"/v1/admin/workspaces/{owner.WorkspaceId}/credits", new { amount = 50, reason = "test" }, await server.AdminTokenAsync()))
            .OkAsync(HttpStatusCode.Created);
        using var client = new ParleyClient(server.BaseAddress, owner.AccessToken);
        var model = await client.CreateModelProviderAsync(owner.WorkspaceId, new CreateModelProviderRequest("local", provider.BaseUrl.ToString(), null, ["tiny"], "tiny"));
        Assert.Null(model.KeyEntryId);
        var session = await client.CreateSessionAsync(new CreateSessionRequest(owner.WorkspaceId));
        provider.Then(new FakeModelProvider.Turn(Text: "Streaming works fine."));
        var events = new List<SessionStreamEvent>();
        await foreach (var item in client.StreamSessionMessageAsync(session.Id, "Does it stream?"))
        {
            events.Add(item);
        }
        Assert.Equal("Streaming works fine.", string.Concat(events.Select(e => e.Text)));
        Assert.Equal("done", events[^1].Type);
        provider.Then(new FakeModelProvider.Turn(Text: "Plain."));
        Assert.Equal("Plain.", (await client.SendSessionMessageAsync(session.Id, "And plainly?")).Message.Content);
        Assert.Equal(4, (await client.ListSessionMessagesAsync(session.Id)).Data.Count);
        var gone = await Assert.ThrowsAsync<ParleyApiException>(async () =>
        {
            await foreach (var unused in client.StreamSessionMessageAsync("ses_nothere", "x"))
            {
            }
        });
        Assert.Equal(ErrorCodes.NotFound, gone.Code);

        // Accept: text/event-stream asks for a stream as well as stream: true does.
        provider.Then(new FakeModelProvider.Turn(Text: "By header."));
        using (var request = Infrastructure.Http.Request(HttpMethod.Post, $"/v1/sessions/{session.Id}/messages", new { content = "Header?" }, owner.AccessToken))
        {
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await server.Http.SendAsync(request);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("event: done", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Providers are listed, changed and removed like the other workspace resources.
        var models = $"/v1/workspaces/{owner.WorkspaceId}/models";
        Assert.Equal(model.Id, (await (await server.Http.GetAsync(models, owner.AccessToken)).OkAsync()).GetProperty("data")[0].Id());
        var changed = await (await server.Http.SendAsync(HttpMethod.Patch, $"{models}/{model.Id}", new { models = new[] { "tiny", "huge" }, default_model = "huge" },
            owner.AccessToken)).OkAsync();
        Assert.Equal("huge", changed.GetProperty("default_model").GetString());
        await (await server.Http.SendAsync(HttpMethod.Patch, $"{models}/{model.Id}", new { default_model = "absent" }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await server.Http.PostAsync(models, new { name = "x", base_url = "localhost:1234", models = new[] { "m" }, default_model = "m" }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.InvalidUrl);
        Assert.Equal("huge", (await (await server.Http.GetAsync($"{models}/{model.Id}", owner.AccessToken)).OkAsync()).GetProperty("default_model").GetString());

        provider.Then(new FakeModelProvider.Turn(Text: "Hello from the terminal."));
        await using var chat = CliProcess.Start(Path.GetTempPath(), ["chat", "--server", server.BaseAddress.ToString(), "--workspace", owner.WorkspaceId],
            new Dictionary<string, string> { ["PARLEY_TOKEN"] = owner.AccessToken });
        await chat.WaitForLineAsync("session ses_");
        await chat.WriteLineAsync("Say hello");
        await chat.WaitForLineAsync(" in, ");
        Assert.Contains("Hello from the terminal.", chat.Text, StringComparison.Ordinal);

        await (await server.Http.SendAsync(HttpMethod.Delete, $"{models}/{model.Id}", null, owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await server.Http.GetAsync($"{models}/{model.Id}", owner.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
    }
}
