using System.CommandLine;
using Parley.Cli.Commands;
using Spectre.Console;

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
        root.Subcommands.Add(new TailCommand(console));
        root.Subcommands.Add(new RoomsCommand(console));
        root.Subcommands.Add(new TasksCommand(console));
        root.Subcommands.Add(new TriggersCommand(console));
        root.Subcommands.Add(new SchedulesCommand(console));
        root.Subcommands.Add(new SitesCommand(console));
        root.Subcommands.Add(new EventsCommand(console));
        return root;
    }
}

/// <summary>
/// Where the CLI writes, so tests can read it. Tables, bars and progress are drawn by Spectre.Console on
/// <see cref="Ansi"/>: with colours and live spinners at a terminal, plain text (wide, no escape codes) when the output is
/// a pipe or a file.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool terminal = false)
    {
        Out = output;
        Error = error;
        Terminal = terminal;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // A pipe has no width: do not wrap ids and URLs at 80 columns.
            Ansi.Profile.Width = 400;
        }
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>Whether a person is watching (standard output is a terminal).</summary>
    public bool Terminal { get; }

    public IAnsiConsole Ansi { get; }

    /// <summary>
    /// Long waiting (a pairing, an approval, an upload): a spinner with <paramref name="status"/> at a terminal, the
    /// status as one line otherwise.
    /// </summary>
    public async Task<T> WaitAsync<T>(string status, Func<Task<T>> work)
    {
        if (Terminal)
        {
            return await Ansi.Status().Spinner(Spinner.Known.Dots).StartAsync(status, _ => work());
        }
        await Out.WriteLineAsync(status);
        await Out.FlushAsync();
        return await work();
    }

    /// <summary>Work of a known size (an upload): a progress bar at a terminal, a line before and after otherwise.</summary>
    public async Task<T> ProgressAsync<T>(string description, long total, Func<IProgress<long>, Task<T>> work)
    {
        if (Terminal)
        {
            return await Ansi.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(description, maxValue: total);
                    var result = await work(new Progress<long>(sent => task.Value = sent));
                    task.Value = total;
                    return result;
                });
        }
        await Out.WriteLineAsync($"{description} ({total} bytes)…");
        await Out.FlushAsync();
        var done = await work(new Progress<long>(_ => { }));
        await Out.WriteLineAsync($"{description}: sent.");
        return done;
    }
}
