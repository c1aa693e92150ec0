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

        var (created, createdText) = await RunAsync(home, ["agents", "create", "cli-bot-" + Guid.NewGuid().ToString("N")[..6]]);
        Assert.True(created == 0, createdText);
        var key = createdText.Split('\n')[1].Split("  ", StringSplitOptions.RemoveEmptyEntries).Last().Trim();
        Assert.StartsWith("prl_sk_", key);
        var (_, listed) = await RunAsync(home, ["agents", "list"]);
        Assert.StartsWith("HANDLE", listed, StringComparison.Ordinal);
        Assert.Contains("cli-bot-", listed, StringComparison.Ordinal);
        var handle = createdText.Split('\n')[1].Split("  ", StringSplitOptions.RemoveEmptyEntries)[0].Trim();

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
}
