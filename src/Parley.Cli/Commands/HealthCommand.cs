using System.CommandLine;
using Parley.Client;

namespace Parley.Cli.Commands;

/// <summary><c>parley health</c>: is the server ready?</summary>
internal sealed class HealthCommand : Command
{
    public HealthCommand(CliConsole console) : base("health", "Says whether the server is ready (database reachable, migrations applied).")
    {
        SetAction(async (parse, cancellationToken) =>
        {
            using var client = new ParleyClient(parse.GetValue(CliApp.Server)!);
            var ready = await client.IsReadyAsync(cancellationToken);
            await console.Out.WriteLineAsync(ready ? "ready" : "not ready");
            return ready ? 0 : 1;
        });
    }
}
