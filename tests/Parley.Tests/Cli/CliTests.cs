using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Cli;

/// <summary>
/// The <c>parley</c> CLI as a person and a script use it, as real processes: login (password on stdin) saves a profile
/// (0600) that later verbs use; tables for people, <c>--json</c> for scripts; exit codes 0, 1 (a catalog error, its
/// code printed) and 2 (wrong usage); logout revokes the token.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CliTests(TestServer server) : IClassFixture<TestServer>
{
    private static async Task<(int Exit, string Output)> RunAsync(string home, string[] args, string? input = null, IDictionary<string, string>? environment = null)
    {
        await using var cli = CliProcess.Start(home, args, environment);
        if (input is not null)
        {
            await cli.WriteLineAsync(input);
        }
        var exit = await cli.WaitForExitAsync();
        return (exit, cli.Text);
    }

    [Fact]
    public async Task AnOwnerLogsInManagesAgentsAndRunsAndLogsOut()
    {
        var owner = await server.SignupAsync();
        var home = Path.Combine(Path.GetTempPath(), "parley-cli-home-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        var (login, loginText) = await RunAsync(home, ["login", "--email", owner.Email, "--server", server.BaseAddress.ToString()], owner.Password);
        Assert.True(login == 0, loginText);
        Assert.Contains($"workspace {owner.WorkspaceId}", loginText, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(home, "profiles.json")));

        var (_, whoami) = await RunAsync(home, ["whoami"]);
        Assert.Contains(owner.Email, whoami, StringComparison.Ordinal);
        var (_, workspaces) = await RunAsync(home, ["workspaces", "--json"]);
        Assert.Equal(owner.WorkspaceId, JsonDocument.Parse(workspaces).RootElement[0].GetProperty("id").GetString());

        var (created, createdText) = await RunAsync(home, ["agents", "create", "cli-bot-" + Guid.NewGuid().ToString("N")[..6], "--json"]);
        Assert.True(created == 0, createdText);
        var createdAgent = JsonDocument.Parse(createdText).RootElement;
        var key = createdAgent.GetProperty("api_key").GetString()!;
        Assert.StartsWith("prl_sk_", key);
        var (_, listed) = await RunAsync(home, ["agents", "list"]);
        Assert.Contains("HANDLE", listed, StringComparison.Ordinal);
        Assert.Contains("cli-bot-", listed, StringComparison.Ordinal);
        var handle = createdAgent.GetProperty("agent").GetProperty("handle").GetString()!;

        var (_, started) = await RunAsync(home, ["runs", "start", handle, "--json"]);
        var run = JsonDocument.Parse(started).RootElement;
        Assert.Equal("queued", run.GetProperty("status").GetString());
        var (_, cancelled) = await RunAsync(home, ["runs", "cancel", run.GetProperty("id").GetString()!]);
        Assert.Contains("cancelled", cancelled, StringComparison.Ordinal);
        var (again, againText) = await RunAsync(home, ["runs", "cancel", run.GetProperty("id").GetString()!]);
        Assert.Equal(1, again);
        Assert.Contains("RUN_NOT_CANCELLABLE", againText, StringComparison.Ordinal);
        var (_, paused) = await RunAsync(home, ["agents", "pause", "@" + handle]);
        Assert.Contains("full", paused, StringComparison.Ordinal);
        var (_, resumed) = await RunAsync(home, ["agents", "resume", handle]);
        Assert.Contains("none", resumed, StringComparison.Ordinal);
        var (_, usage) = await RunAsync(home, ["usage"]);
        Assert.Contains("runs", usage, StringComparison.Ordinal);
        Assert.Contains("credits", usage, StringComparison.Ordinal);
        var (usageError, _) = await RunAsync(home, ["agents", "create"]);
        Assert.Equal(2, usageError);

        // An agent's verbs, with its key: a direct message, and the other's inbox.
        var peer = await server.CreateAgentAsync(owner);
        await (await server.Http.PostAsync("/v1/contacts", new { handle }, peer.ApiKey)).OkAsync(System.Net.HttpStatusCode.Created);
        var (sent, sentText) = await RunAsync(home, ["send", "@" + peer.Handle, "hello from the terminal"], environment: new Dictionary<string, string> { ["PARLEY_TOKEN"] = key });
        Assert.True(sent == 0, sentText);
        var (_, inbox) = await RunAsync(home, ["inbox"], environment: new Dictionary<string, string> { ["PARLEY_TOKEN"] = peer.ApiKey });
        Assert.Contains("hello from the terminal", inbox, StringComparison.Ordinal);
        var (_, empty) = await RunAsync(home, ["inbox", "--json"], environment: new Dictionary<string, string> { ["PARLEY_TOKEN"] = peer.ApiKey });
        Assert.Equal(0, JsonDocument.Parse(empty).RootElement.GetProperty("messages").GetArrayLength());

        var token = JsonDocument.Parse(File.ReadAllText(Path.Combine(home, "profiles.json"))).RootElement.GetProperty("default").GetProperty("token").GetString();
        var (logout, _) = await RunAsync(home, ["logout"]);
        Assert.Equal(0, logout);
        await (await server.Http.GetAsync("/v1/me", token)).ErrorAsync(Parley.Contracts.Errors.ErrorCodes.Unauthorized);
        var (after, _) = await RunAsync(home, ["whoami", "--server", server.BaseAddress.ToString()]);
        Assert.Equal(1, after);
    }

    private Dictionary<string, string> As(string token, string? workspace = null)
    {
        var environment = new Dictionary<string, string> { ["PARLEY_TOKEN"] = token, ["PARLEY_URL"] = server.BaseAddress.ToString() };
        if (workspace is not null)
        {
            environment["PARLEY_WORKSPACE"] = workspace;
        }
        return environment;
    }

    private static string NewHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "parley-cli-home-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        return home;
    }

    [Fact]
    public async Task TwoAgentsWorkARoomFromTheTerminalAndOnlyOneHoldsATask()
    {
        var owner = await server.SignupAsync();
        var alice = await server.CreateAgentAsync(owner);
        var bob = await server.CreateAgentAsync(owner);
        var home = NewHome();

        var (made, madeText) = await RunAsync(home, ["rooms", "create", "Launch", "--topic", "ship it", "--json"], environment: As(alice.ApiKey));
        Assert.True(made == 0, madeText);
        var roomId = JsonDocument.Parse(madeText).RootElement.GetProperty("id").GetString()!;
        // Agents are members; the workspace's people are the room's admins and add agents.
        var (added, addedText) = await RunAsync(home, ["rooms", "add", roomId, "@" + bob.Handle], environment: As(owner.AccessToken));
        Assert.True(added == 0, addedText);
        var (_, members) = await RunAsync(home, ["rooms", "members", roomId], environment: As(bob.ApiKey));
        Assert.Contains("@" + alice.Handle, members, StringComparison.Ordinal);
        Assert.Contains("@" + bob.Handle, members, StringComparison.Ordinal);

        var (_, posted) = await RunAsync(home, ["rooms", "post", roomId, $"@{bob.Handle} the notes are yours"], environment: As(alice.ApiKey));
        Assert.Contains("SEQ", posted, StringComparison.Ordinal);
        var (_, thread) = await RunAsync(home, ["rooms", "show", roomId], environment: As(bob.ApiKey));
        Assert.Contains($"@{alice.Handle}", thread, StringComparison.Ordinal);
        Assert.Contains("the notes are yours", thread, StringComparison.Ordinal);
        var mentions = await (await server.Http.GetAsync("/v1/mentions", bob.ApiKey)).OkAsync();
        Assert.Equal(roomId, mentions.GetProperty("data")[0].GetProperty("room_id").GetString());

        var (_, taskText) = await RunAsync(home, ["tasks", "create", roomId, "Write the release notes", "--json"], environment: As(alice.ApiKey));
        var taskId = JsonDocument.Parse(taskText).RootElement.GetProperty("id").GetString()!;
        var (claimed, claimedText) = await RunAsync(home, ["tasks", "claim", taskId, "--json"], environment: As(bob.ApiKey));
        Assert.True(claimed == 0, claimedText);
        var claimToken = JsonDocument.Parse(claimedText).RootElement.GetProperty("claim_token").GetString()!;
        var (second, secondText) = await RunAsync(home, ["tasks", "claim", taskId], environment: As(alice.ApiKey));
        Assert.Equal(1, second);
        Assert.StartsWith("TASK_ALREADY_CLAIMED:", secondText, StringComparison.Ordinal);
        var (_, board) = await RunAsync(home, ["tasks", "list", roomId], environment: As(alice.ApiKey));
        Assert.Contains("doing", board, StringComparison.Ordinal);
        Assert.Contains("@" + bob.Handle, board, StringComparison.Ordinal);
        var (renewed, renewedText) = await RunAsync(home, ["tasks", "renew", taskId], environment: new Dictionary<string, string>(As(bob.ApiKey)) { ["PARLEY_CLAIM_TOKEN"] = claimToken });
        Assert.True(renewed == 0, renewedText);
        var (noToken, _) = await RunAsync(home, ["tasks", "done", taskId], environment: As(bob.ApiKey));
        Assert.Equal(2, noToken);

        // A small file goes inline, a large one by the signed upload URL (with its progress lines); both read back the same.
        var small = Path.Combine(home, "notes.md");
        await File.WriteAllTextAsync(small, "# Notes\n");
        var large = Path.Combine(home, "data.bin");
        var bytes = new byte[300 * 1024];
        Random.Shared.NextBytes(bytes);
        await File.WriteAllBytesAsync(large, bytes);
        var (putSmall, putSmallText) = await RunAsync(home, ["rooms", "put", roomId, "out/notes.md", small], environment: As(bob.ApiKey));
        Assert.True(putSmall == 0, putSmallText);
        var (putLarge, putLargeText) = await RunAsync(home, ["rooms", "put", roomId, "out/data.bin", large], environment: As(bob.ApiKey));
        Assert.True(putLarge == 0, putLargeText);
        Assert.Contains($"Uploading data.bin ({bytes.Length} bytes)", putLargeText, StringComparison.Ordinal);
        Assert.Contains("uploaded", putLargeText, StringComparison.Ordinal);
        var (_, files) = await RunAsync(home, ["rooms", "files", roomId, "--json"], environment: As(alice.ApiKey));
        Assert.Equal(["out/data.bin", "out/notes.md"], JsonDocument.Parse(files).RootElement.GetProperty("data").EnumerateArray()
            .Select(f => f.GetProperty("path").GetString()).Order(StringComparer.Ordinal));
        var copy = Path.Combine(home, "copy.bin");
        var (got, _) = await RunAsync(home, ["rooms", "get", roomId, "out/data.bin", "-o", copy], environment: As(alice.ApiKey));
        Assert.Equal(0, got);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(copy));

        var (done, doneText) = await RunAsync(home, ["tasks", "done", taskId, "--token", claimToken, "--summary", "out/notes.md"], environment: As(bob.ApiKey));
        Assert.True(done == 0, doneText);
        var task = await (await server.Http.GetAsync($"/v1/tasks/{taskId}", alice.ApiKey)).OkAsync();
        Assert.Equal(("done", "out/notes.md"), (task.GetProperty("status").GetString(), task.GetProperty("result").GetProperty("summary").GetString()));
    }

    [Fact]
    public async Task AnOwnerSetsUpTriggersAndSchedulesAndFollowsEventsWhileAnAgentTails()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var peer = await server.CreateAgentAsync(owner);
        var home = NewHome();
        var asOwner = As(owner.AccessToken, owner.WorkspaceId);

        // Owner events, followed from before anything happens.
        await using var events = CliProcess.Start(home, ["events", "--count", "1"], asOwner);
        await events.WaitForLineAsync("Following");
        var (made, madeText) = await RunAsync(home, ["triggers", "create", "@" + agent.Handle, "--name", "deploys", "--prompt", "Deployed: {{payload}}", "--json"], environment: asOwner);
        Assert.True(made == 0, madeText);
        var trigger = JsonDocument.Parse(madeText).RootElement;
        var (_, triggers) = await RunAsync(home, ["triggers", "list"], environment: asOwner);
        Assert.Contains(trigger.GetProperty("id").GetString()!, triggers, StringComparison.Ordinal);
        Assert.DoesNotContain(trigger.GetProperty("secret").GetString()!, triggers, StringComparison.Ordinal);

        using var sdk = new Parley.Client.ParleyClient(server.BaseAddress);
        var hook = await sdk.CallTriggerAsync(trigger.GetProperty("id").GetString()!, trigger.GetProperty("secret").GetString()!,
            JsonDocument.Parse("""{"service":"api"}""").RootElement);
        Assert.Equal(0, await events.WaitForExitAsync());
        Assert.Contains("run.updated", events.Text, StringComparison.Ordinal);
        Assert.Contains(hook.RunId, events.Text, StringComparison.Ordinal);

        var (rotated, rotatedText) = await RunAsync(home, ["triggers", "rotate", trigger.GetProperty("id").GetString()!, "--json"], environment: asOwner);
        Assert.True(rotated == 0, rotatedText);
        var old = await Assert.ThrowsAsync<Parley.Client.ParleyApiException>(() => sdk.CallTriggerAsync(trigger.GetProperty("id").GetString()!,
            trigger.GetProperty("secret").GetString()!, JsonDocument.Parse("{}").RootElement));
        Assert.Equal(Parley.Contracts.Errors.ErrorCodes.Unauthorized, old.Code);
        var (removed, _) = await RunAsync(home, ["triggers", "rm", trigger.GetProperty("id").GetString()!], environment: asOwner);
        Assert.Equal(0, removed);

        var (added, addedText) = await RunAsync(home, ["schedules", "add", agent.Handle, "--cron", "0 9 * * 1-5", "--tz", "Europe/Paris", "--json"], environment: asOwner);
        Assert.True(added == 0, addedText);
        var scheduleId = JsonDocument.Parse(addedText).RootElement.GetProperty("id").GetString()!;
        var (badCron, badCronText) = await RunAsync(home, ["schedules", "add", agent.Handle, "--cron", "61 * * * *"], environment: asOwner);
        Assert.Equal(1, badCron);
        Assert.Contains("VALIDATION_ERROR", badCronText, StringComparison.Ordinal);
        Assert.Contains("cron", badCronText, StringComparison.Ordinal);
        var (_, disabled) = await RunAsync(home, ["schedules", "disable", agent.Handle, scheduleId, "--json"], environment: asOwner);
        Assert.False(JsonDocument.Parse(disabled).RootElement.GetProperty("enabled").GetBoolean());
        var (_, listed) = await RunAsync(home, ["schedules", "list", agent.Handle], environment: asOwner);
        Assert.Contains("Europe/Paris", listed, StringComparison.Ordinal);
        var (_, removedSchedule) = await RunAsync(home, ["schedules", "rm", agent.Handle, scheduleId], environment: asOwner);
        var (_, empty) = await RunAsync(home, ["schedules", "list", agent.Handle, "--json"], environment: asOwner);
        Assert.Equal(0, JsonDocument.Parse(empty).RootElement.GetProperty("data").GetArrayLength());

        // The agent's live channel: a message sent after tail connects is printed, and stays unacknowledged.
        await (await server.Http.PostAsync("/v1/contacts", new { handle = agent.Handle }, peer.ApiKey)).OkAsync(System.Net.HttpStatusCode.Created);
        await using var tail = CliProcess.Start(home, ["tail", "--count", "1"], As(agent.ApiKey));
        await tail.WaitForLineAsync("Following");
        await server.SendOkAsync(peer, agent.Handle, "live from the socket");
        Assert.Equal(0, await tail.WaitForExitAsync());
        Assert.Contains($"@{peer.Handle}: live from the socket", tail.Text, StringComparison.Ordinal);
        Assert.Equal(1, (await server.SyncAsync(agent)).GetProperty("messages").GetArrayLength());
    }
}
