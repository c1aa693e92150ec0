using System.CommandLine;
using Parley.Client;

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
            var server = parse.GetValue(CliApp.Server)!;
            try
            {
                using var client = new ParleyClient(server);
                return await ExecuteAsync(client, parse, cancellationToken);
            }
            catch (ParleyApiException e)
            {
                await console.Error.WriteLineAsync(e.Message);
                return 1;
            }
            catch (HttpRequestException e)
            {
                await console.Error.WriteLineAsync($"{server} is not reachable ({e.Message})");
                return 1;
            }
        });
    }

    protected CliConsole Console { get; }

    /// <summary>The verb's work; its result is the exit code.</summary>
    protected abstract Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken cancellationToken);
}
