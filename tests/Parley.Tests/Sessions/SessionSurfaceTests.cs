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

        provider.Then(new FakeModelProvider.Turn(Text: "Hello from the terminal."));
        await using var chat = CliProcess.Start(Path.GetTempPath(), ["chat", "--server", server.BaseAddress.ToString(), "--workspace", owner.WorkspaceId],
            new Dictionary<string, string> { ["PARLEY_TOKEN"] = owner.AccessToken });
        await chat.WaitForLineAsync("session ses_");
        await chat.WriteLineAsync("Say hello");
        await chat.WaitForLineAsync(" in, ");
        Assert.Contains("Hello from the terminal.", chat.Text, StringComparison.Ordinal);
    }
}
