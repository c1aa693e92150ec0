using System.CommandLine;
using Parley.Client;

namespace Parley.Cli.Commands;

/// <summary><c>parley health</c>: is the server ready?</summary>
internal sealed class HealthCommand(CliConsole console)
    : ParleyCommand("health", "Says whether the server is ready (database reachable, migrations applied).", console)
{
    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken cancellationToken)
    {
        var ready = await client.IsReadyAsync(cancellationToken);
        await Console.Out.WriteLineAsync(ready ? "ready" : "not ready");
        return ready ? 0 : 1;
    }
}
