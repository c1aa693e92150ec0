using System.CommandLine;
using System.Text.Json;
using Parley.Cli.Devices;
using Parley.Client;
using Parley.Contracts.Errors;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley login --email E</c>: signs in (the password is read from standard input, never from the command line),
/// makes a personal access token for this machine, and saves it with the server and the workspace in the profile
/// (mode 0600). The session used to make it is ended at once.
/// </summary>
internal sealed class LoginCommand : ParleyCommand
{
    private static readonly Option<string> Email = new("--email") { Required = true, Description = "The account's email." };

    public LoginCommand(CliConsole console) : base("login", "Signs in and saves a token for this machine (password on standard input).", console)
    {
        Options.Add(Email);
        Options.Add(WorkspaceCommand.Workspace);
    }

    protected override string? Credential(ParseResult parse) => null;

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        await Console.Error.WriteAsync("Password: ");
        var password = (await System.Console.In.ReadLineAsync(ct))?.TrimEnd('\r', '\n');
        if (string.IsNullOrEmpty(password))
        {
            throw new CliException("No password on standard input.", 2);
        }
        var email = parse.GetValue(Email)!;
        var session = await client.SendAsync<JsonElement>(HttpMethod.Post, "v1/auth/login", new { email, password }, ct);
        client.Credential = session.GetProperty("access_token").GetString();
        var me = await client.SendAsync<JsonElement>(HttpMethod.Get, "v1/me", null, ct);
        var workspaces = me.GetProperty("workspaces").EnumerateArray().ToList();
        var workspace = parse.GetValue(WorkspaceCommand.Workspace) is { Length: > 0 } given ? given
            : workspaces.FirstOrDefault(w => w.GetProperty("role").GetString() == "owner") is { ValueKind: JsonValueKind.Object } owned ? owned.GetProperty("id").GetString()
            : workspaces.FirstOrDefault() is { ValueKind: JsonValueKind.Object } first ? first.GetProperty("id").GetString() : null;
        var token = await client.SendAsync<JsonElement>(HttpMethod.Post, "v1/me/tokens",
            new { name = $"parley cli ({Environment.MachineName})", expires_in_days = 90 }, ct);
        await client.SendAsync<JsonElement>(HttpMethod.Post, "v1/auth/logout", new { everywhere = false }, ct);
        var profile = new Profile(client.BaseAddress.AbsoluteUri.TrimEnd('/'), token.GetProperty("secret").GetString()!,
            token.GetProperty("token").GetProperty("id").GetString(), workspace, email);
        var name = parse.GetValue(CliApp.ProfileName)!;
        Profiles.Save(CliHome.Resolve(), name, profile);
        await Console.Out.WriteLineAsync($"Signed in as {email} on {profile.Server}; workspace {workspace ?? "(none)"}; profile '{name}' (token valid 90 days).");
        return 0;
    }
}

/// <summary><c>parley logout</c>: revokes the profile's token and forgets the profile.</summary>
internal sealed class LogoutCommand(CliConsole console) : ParleyCommand("logout", "Revokes this machine's token and removes the profile.", console)
{
    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(CliApp.ProfileName)!;
        if (ProfileOf(parse) is not { } profile)
        {
            await Console.Out.WriteLineAsync($"No profile '{name}'.");
            return 0;
        }
        client.Credential = profile.Token;
        try
        {
            if (profile.TokenId is { } id)
            {
                await client.SendAsync<JsonElement>(HttpMethod.Delete, $"v1/me/tokens/{Uri.EscapeDataString(id)}", null, ct);
            }
        }
        catch (ParleyApiException e) when (e.Code is ErrorCodes.NotFound or ErrorCodes.TokenRevoked or ErrorCodes.Unauthorized or ErrorCodes.TokenExpired)
        {
            // Already gone: forgetting the profile is all that is left.
        }
        Profiles.Save(CliHome.Resolve(), name, null);
        await Console.Out.WriteLineAsync($"Signed out of {profile.Server}.");
        return 0;
    }
}

/// <summary><c>parley whoami</c>: the account (and its workspaces), or the agent, behind the credential.</summary>
internal sealed class WhoAmICommand(CliConsole console) : ParleyCommand("whoami", "Shows who the credential is: an account or an agent.", console)
{
    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        JsonElement answer;
        try
        {
            answer = await client.SendAsync<JsonElement>(HttpMethod.Get, "v1/me", null, ct);
        }
        catch (ParleyApiException e) when (e.Code is ErrorCodes.Forbidden)
        {
            var agent = await client.SendAsync<JsonElement>(HttpMethod.Get, "v1/agents/me", null, ct);
            await PrintAsync(parse, agent, ["agent", "id", "plate", "workspace"],
                [[agent.GetProperty("handle").GetString(), agent.GetProperty("id").GetString(), agent.GetProperty("plate").GetString(), Text(agent, "owner_workspace_id")]]);
            return 0;
        }
        var account = answer.GetProperty("account");
        await PrintAsync(parse, answer, ["account", "email", "workspaces"],
            [[account.GetProperty("id").GetString(), account.GetProperty("email").GetString(),
              string.Join(", ", answer.GetProperty("workspaces").EnumerateArray().Select(w => $"{w.GetProperty("name").GetString()} ({w.GetProperty("role").GetString()})"))]]);
        return 0;
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary><c>parley workspaces</c>: the account's workspaces and roles.</summary>
internal sealed class WorkspacesCommand(CliConsole console) : ParleyCommand("workspaces", "Lists your workspaces and your role in each.", console)
{
    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken ct)
    {
        var me = await client.SendAsync<JsonElement>(HttpMethod.Get, "v1/me", null, ct);
        await PrintAsync(parse, me.GetProperty("workspaces"), ["id", "name", "plan", "role"],
            me.GetProperty("workspaces").EnumerateArray().Select(w => new[] { w.GetProperty("id").GetString(), w.GetProperty("name").GetString(),
                w.GetProperty("plan").GetString(), w.GetProperty("role").GetString() }));
        return 0;
    }
}
