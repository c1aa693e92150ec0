using System.CommandLine;
using Parley.Cli.Devices;
using Parley.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Parley.Cli.Commands;

/// <summary>
/// The base of every verb: it makes the client for <c>--server</c> and is the one place that turns failures into what
/// a person at a terminal should see — a catalog error as its code and message, an unreachable server as one line —
/// with exit code 1, never a stack trace.
/// </summary>
internal abstract class ParleyCommand : Command
{
    protected ParleyCommand(string name, string description, CliConsole console) : base(name, description)
    {
        Console = console;
        SetAction(async (parse, cancellationToken) =>
        {
            var server = ServerFor(parse);
            try
            {
                using var client = new ParleyClient(server, Credential(parse));
                return await ExecuteAsync(client, parse, cancellationToken);
            }
            catch (ParleyApiException e)
            {
                await console.Error.WriteLineAsync(e.Message);
                if (e.Fields is { ValueKind: System.Text.Json.JsonValueKind.Object } fields)
                {
                    // VALIDATION_ERROR: what is wrong with which input.
                    foreach (var field in fields.EnumerateObject())
                    {
                        await console.Error.WriteLineAsync($"  {field.Name}: {string.Join("; ", field.Value.EnumerateArray().Select(m => m.GetString()))}");
                    }
                }
                return 1;
            }
            catch (HttpRequestException e)
            {
                await console.Error.WriteLineAsync($"{server} is not reachable ({e.Message})");
                return 1;
            }
            catch (CliException e)
            {
                await console.Error.WriteLineAsync(e.Message);
                return e.ExitCode;
            }
        });
    }

    protected CliConsole Console { get; }

    /// <summary>
    /// The server: <c>--server</c> when given, else <c>$PARLEY_URL</c>/<c>$PARLEY_SERVER</c>, else the profile's, else the
    /// paired device's, else the default.
    /// </summary>
    protected static Uri ServerFor(ParseResult parse)
    {
        var given = parse.GetResult(CliApp.Server) is { Implicit: false };
        if (!given && Environment.GetEnvironmentVariable("PARLEY_URL") is null && Environment.GetEnvironmentVariable("PARLEY_SERVER") is null)
        {
            if (ProfileOf(parse) is { } profile)
            {
                return new Uri(profile.Server);
            }
            if (DeviceProfile.Load(CliHome.Resolve()) is { } device)
            {
                return new Uri(device.Server);
            }
        }
        return parse.GetValue(CliApp.Server)!;
    }

    /// <summary>The saved sign-in named by <c>--profile</c>, if there is one.</summary>
    protected static Profile? ProfileOf(ParseResult parse) => Profiles.Load(CliHome.Resolve(), parse.GetValue(CliApp.ProfileName)!);

    /// <summary>The credential sent: <c>$PARLEY_TOKEN</c>, else the profile's, unless the verb uses another (the device's token).</summary>
    protected virtual string? Credential(ParseResult parse) => Environment.GetEnvironmentVariable("PARLEY_TOKEN") ?? ProfileOf(parse)?.Token;

    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Prints an answer: its JSON with <c>--json</c>, else a table of <paramref name="rows"/> under <paramref name="headers"/>.</summary>
    protected async Task PrintAsync(ParseResult parse, System.Text.Json.JsonElement answer, string[] headers, IEnumerable<string?[]> rows)
    {
        if (parse.GetValue(CliApp.Json))
        {
            await Console.Out.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(answer, Indented));
            return;
        }
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header.ToUpperInvariant())));
        }
        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell ?? "")));
        }
        Console.Ansi.Write(table);
        await Console.Out.FlushAsync();
    }

    /// <summary>Prints a typed answer: its JSON with <c>--json</c>, else the table.</summary>
    protected Task PrintAsync<T>(ParseResult parse, T answer, string[] headers, IEnumerable<string?[]> rows) =>
        PrintAsync(parse, System.Text.Json.JsonSerializer.SerializeToElement(answer, Parley.Contracts.Json.ParleyJson.Options), headers, rows);

    /// <summary>The verb's work; its result is the exit code.</summary>
    protected abstract Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken cancellationToken);
}

/// <summary>A verb that acts as this machine's paired device (<c>device.json</c>).</summary>
internal abstract class DeviceCommand(string name, string description, CliConsole console) : ParleyCommand(name, description, console)
{
    protected static string Home => CliHome.Resolve();

    protected override string? Credential(ParseResult parse) => DeviceProfile.Load(Home)?.DeviceToken;

    /// <summary>The device profile; a machine that is not paired gets a clear message and exit code 1.</summary>
    protected static DeviceProfile Profile() =>
        DeviceProfile.Load(Home) ?? throw new CliException($"This machine is not paired (no {DeviceProfile.PathIn(Home)}): run `parley pair` first.");
}

/// <summary>A failure the CLI explains in one line (exit code 1, or 2 for wrong usage).</summary>
internal sealed class CliException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
