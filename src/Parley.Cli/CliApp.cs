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

    public static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand("parley: talk to a Parley server.") { Server };
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
        return root;
    }
}

/// <summary>Where the CLI writes, so tests can read it.</summary>
internal sealed class CliConsole(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
}
