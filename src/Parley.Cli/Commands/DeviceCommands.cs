using System.CommandLine;
using System.Runtime.InteropServices;
using Parley.Cli.Devices;
using Parley.Client;
using Parley.Contracts.Wake;

namespace Parley.Cli.Commands;

/// <summary><c>parley pair</c>: the device flow (wake.md). Prints the code and the page to approve it on, waits, keeps the token.</summary>
internal sealed class PairCommand : DeviceCommand
{
    private static readonly Option<string> DeviceName = new("--name") { Description = "The device's name, as its owner will see it (default: this machine's name)." };

    public PairCommand(CliConsole console) : base("pair", "Pairs this machine as a device of a workspace (the owner approves the code it shows).", console)
    {
        Options.Add(DeviceName);
    }

    protected override string? Credential(ParseResult parse) => null;

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken cancellationToken)
    {
        var name = parse.GetValue(DeviceName) is { Length: > 0 } given ? given : Environment.MachineName;
        var hosts = Hosts.All.Where(h => h == Hosts.Custom || HostCommand.Which(HostCommand.DefaultProgram(h), Environment.GetEnvironmentVariable("PATH") ?? "", "/") is not null).ToList();
        var started = await client.StartPairingAsync(name, Platform(), hosts, cancellationToken);
        await Console.Out.WriteLineAsync($"To pair this machine, open {started.VerificationUrl}");
        await Console.Out.WriteLineAsync($"and enter the code {started.UserCode} (it expires in {started.ExpiresIn / 60} minutes).");
        var issued = await Console.WaitAsync("Waiting for approval…", () => client.WaitForPairingAsync(started, cancellationToken));
        var device = issued.Device;
        new DeviceProfile(client.BaseAddress.AbsoluteUri.TrimEnd('/'), device.Id, device.WorkspaceId, device.Name, issued.DeviceToken, []).Save(Home);
        await Console.Out.WriteLineAsync($"Paired: {device.Name} is {device.Id} in workspace {device.WorkspaceId}.");
        await Console.Out.WriteLineAsync($"Its token is in {DeviceProfile.PathIn(Home)} (readable by you only). Next: parley bind, then parley watch.");
        return 0;
    }

    private static string Platform() =>
        (OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "macos" : OperatingSystem.IsWindows() ? "windows" : "other")
        + "-" + RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant();
}

/// <summary>
/// <c>parley bind</c>: which of the workspace's agents this device runs, and how. The server learns the agent, the host
/// and whether it can run constrained; the command and the folder stay in this machine's <c>device.json</c>.
/// </summary>
internal sealed class BindCommand : DeviceCommand
{
    private static readonly Option<string> Agent = new("--agent") { Description = "The agent (id, handle or plate), of this device's workspace.", Required = true };
    private static readonly Option<string> Host = new("--host") { Description = "claude_code, codex or custom." };
    private static readonly Option<string> Command = new("--command") { Description = "custom: the shell command to run; claude_code/codex: the program's path." };
    private static readonly Option<string> ConstrainedCommand = new("--constrained-command") { Description = "custom: the command for constrained (cross-owner) runs." };
    private static readonly Option<string> AllowedTools = new("--allowed-tools") { Description = $"claude_code: the tools of a constrained run (default {HostCommand.DefaultAllowedTools})." };
    private static readonly Option<DirectoryInfo> Directory = new("--dir") { Description = "The folder the agent runs in." };
    private static readonly Option<bool> Remove = new("--remove") { Description = "Unbinds the agent." };

    public BindCommand(CliConsole console) : base("bind", "Binds an agent to this device: how it runs here when it is woken.", console)
    {
        Host.AcceptOnlyFromAmong([.. Hosts.All]);
        Options.Add(Agent);
        Options.Add(Host);
        Options.Add(Command);
        Options.Add(ConstrainedCommand);
        Options.Add(AllowedTools);
        Options.Add(Directory);
        Options.Add(Remove);
    }

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken cancellationToken)
    {
        var profile = Profile();
        var agent = parse.GetValue(Agent)!;
        var others = profile.Bindings.Where(b => !Names(b).Contains(agent)).ToList();
        LocalBinding? added = null;
        if (!parse.GetValue(Remove))
        {
            var host = parse.GetValue(Host) ?? throw new CliException("--host is required (claude_code, codex or custom).", 2);
            var folder = parse.GetValue(Directory) ?? throw new CliException("--dir is required: the folder the agent runs in.", 2);
            if (!folder.Exists)
            {
                throw new CliException($"{folder.FullName} does not exist.", 2);
            }
            if (host == Hosts.Custom && string.IsNullOrWhiteSpace(parse.GetValue(Command)))
            {
                throw new CliException("A custom host needs --command.", 2);
            }
            added = new LocalBinding("", agent, host, folder.FullName, parse.GetValue(Command), parse.GetValue(ConstrainedCommand), parse.GetValue(AllowedTools));
        }
        var wanted = others.Select(b => new BindingRequest(b.AgentId, b.Host, b.ConstrainedCapable)).ToList();
        if (added is not null)
        {
            wanted.Add(new BindingRequest(agent, added.Host, added.ConstrainedCapable));
        }
        // The server resolves the agent (AGENT_NOT_FOUND when it is not of this workspace); only then is the file changed.
        var device = await client.SetBindingsAsync(wanted, cancellationToken);
        if (added is not null)
        {
            var view = device.Bindings.Last(b => b.Host == added.Host && (b.Agent.Id == agent || b.Agent.Handle == agent.TrimStart('@') || !others.Any(o => o.AgentId == b.Agent.Id)));
            others.Add(added with { AgentId = view.Agent.Id, AgentHandle = view.Agent.Handle ?? agent });
        }
        (profile with { Bindings = others }).Save(Home);
        foreach (var binding in others)
        {
            await Console.Out.WriteLineAsync($"@{binding.AgentHandle,-24} {binding.Host,-12} {(binding.ConstrainedCapable ? "constrained-capable" : "unconstrained only"),-20} {binding.Directory}");
        }
        if (others.Count == 0)
        {
            await Console.Out.WriteLineAsync("No agent is bound to this device.");
        }
        return 0;
    }

    private static string[] Names(LocalBinding b) => [b.AgentId, b.AgentHandle, "@" + b.AgentHandle];
}

/// <summary><c>parley watch</c>: the listener. One per device; Ctrl-C stops it (and the runs it started).</summary>
internal sealed class WatchCommand : DeviceCommand
{
    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Prints each command it would run, and runs nothing." };
    private static readonly Option<Uri> GatewayProxy = new("--gateway-proxy")
    {
        Description = "The gateway's proxy for constrained runs (default: $PARLEY_GATEWAY_PROXY, or port 8081 of the server's host).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PARLEY_GATEWAY_PROXY") is { Length: > 0 } url ? new Uri(url) : null!,
        CustomParser = result => Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var uri) ? uri : null,
    };
    private static readonly Option<int> MaxRunSeconds = new("--max-run-seconds") { Description = "Stops a run's process after this long (the server's Wake:MaxRunSeconds).", DefaultValueFactory = _ => 3600 };
    private static readonly Option<int> HeartbeatSeconds = new("--heartbeat-seconds") { Description = "How often a run's heartbeat is sent.", DefaultValueFactory = _ => 30, Hidden = true };

    public WatchCommand(CliConsole console) : base("watch", "Listens for wakes and runs the bound agents on this machine.", console)
    {
        Options.Add(DryRun);
        Options.Add(GatewayProxy);
        Options.Add(MaxRunSeconds);
        Options.Add(HeartbeatSeconds);
    }

    protected override Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken cancellationToken)
    {
        var profile = Profile();
        var settings = new WatchSettings(parse.GetValue(DryRun), TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(HeartbeatSeconds))),
            TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(MaxRunSeconds))), TimeSpan.FromSeconds(5), parse.GetValue(GatewayProxy));
        return new Watcher(profile with { Server = client.BaseAddress.AbsoluteUri.TrimEnd('/') }, Home, settings, Console.Out).RunAsync(cancellationToken);
    }
}

/// <summary><c>parley status</c>: paired? connected? which agents are bound, and the runs in flight here.</summary>
internal sealed class StatusCommand(CliConsole console) : DeviceCommand("status", "Shows this device: paired, connected, bindings, runs in flight.", console)
{
    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken cancellationToken)
    {
        if (DeviceProfile.Load(Home) is not { } profile)
        {
            await Console.Out.WriteLineAsync("paired:    no (run `parley pair`)");
            return 1;
        }
        var device = await client.GetDeviceAsync(cancellationToken);
        var watching = WatchLock.IsHeld(Home);
        await Console.Out.WriteLineAsync($"paired:    yes — {device.Name} ({device.Id}) in workspace {device.WorkspaceId}, server {profile.Server}");
        await Console.Out.WriteLineAsync($"watch:     {(watching ? $"running (pid {WatchLock.Holder(Home)})" : "not running")}");
        await Console.Out.WriteLineAsync($"connected: {(device.Online ? "yes" : "no")}{(device.LastSeenAt is { } seen ? $" (last seen {seen:u})" : "")}");
        await Console.Out.WriteLineAsync("bindings:");
        foreach (var binding in device.Bindings)
        {
            var local = profile.BindingFor(binding.Agent.Id);
            await Console.Out.WriteLineAsync($"  @{binding.Agent.Handle,-24} {binding.Host,-12} {(binding.ConstrainedCapable ? "constrained-capable" : "unconstrained only"),-20} {local?.Directory ?? "(not configured here: parley bind)"}");
        }
        var inFlight = System.IO.Directory.Exists(Path.Combine(Home, "runs")) ? System.IO.Directory.GetFiles(Path.Combine(Home, "runs"), "*.json") : [];
        await Console.Out.WriteLineAsync($"runs in flight: {inFlight.Length}");
        foreach (var file in inFlight)
        {
            await Console.Out.WriteLineAsync("  " + Path.GetFileNameWithoutExtension(file));
        }
        return 0;
    }
}
