using System.CommandLine;
using Parley.Cli.Commands;

namespace Parley.Cli;

/// <summary>The verbs of the <c>parley</c> command. Each verb is one class; all output goes through <see cref="CliConsole"/>.</summary>
internal static class CliApp
{
    public static readonly Option<Uri> Server = new("--server")
    {
        Description = "The Parley server (default: $PARLEY_URL, $PARLEY_SERVER, the paired device's server, or http://127.0.0.1:8080).",
        Recursive = true,
        DefaultValueFactory = _ => new Uri(Environment.GetEnvironmentVariable("PARLEY_URL") ?? Environment.GetEnvironmentVariable("PARLEY_SERVER") ?? "http://127.0.0.1:8080"),
        CustomParser = result => Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var uri) ? uri : null,
    };

    public static readonly Option<string> ProfileName = new("--profile")
    {
        Description = "The saved sign-in to use (default: $PARLEY_PROFILE or 'default').",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PARLEY_PROFILE") is { Length: > 0 } name ? name : "default",
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print the server's JSON instead of a table (for scripts).", Recursive = true };

    public static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand("parley: talk to a Parley server.") { Server, ProfileName, Json };
        root.Subcommands.Add(new HealthCommand(console));
        root.Subcommands.Add(new ErrorsCommand(console));
        root.Subcommands.Add(new PairCommand(console));
        root.Subcommands.Add(new BindCommand(console));
        root.Subcommands.Add(new WatchCommand(console));
        root.Subcommands.Add(new StatusCommand(console));
        root.Subcommands.Add(new RunCommand(console));
        root.Subcommands.Add(new VaultCommand(console));
        root.Subcommands.Add(new RulesCommand(console));
        root.Subcommands.Add(new ApprovalsCommand(console));
        root.Subcommands.Add(new LogCommand(console));
        root.Subcommands.Add(new ChatCommand(console));
        root.Subcommands.Add(new LoginCommand(console));
        root.Subcommands.Add(new LogoutCommand(console));
        root.Subcommands.Add(new WhoAmICommand(console));
        root.Subcommands.Add(new WorkspacesCommand(console));
        root.Subcommands.Add(new AgentsCommand(console));
        root.Subcommands.Add(new DevicesCommand(console));
        root.Subcommands.Add(new RunsCommand(console));
        root.Subcommands.Add(new UsageCommand(console));
        root.Subcommands.Add(new SendCommand(console));
        root.Subcommands.Add(new InboxCommand(console));
        return root;
    }
}

/// <summary>Where the CLI writes, so tests can read it.</summary>
internal sealed class CliConsole(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
}
