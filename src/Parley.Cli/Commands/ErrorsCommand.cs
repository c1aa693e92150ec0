using System.CommandLine;
using Parley.Client;

namespace Parley.Cli.Commands;

/// <summary><c>parley errors</c>: the server's error catalog, one code per line.</summary>
internal sealed class ErrorsCommand : Command
{
    public ErrorsCommand(CliConsole console) : base("errors", "Lists the server's error catalog.")
    {
        SetAction(async (parse, cancellationToken) =>
        {
            using var client = new ParleyClient(parse.GetValue(CliApp.Server)!);
            foreach (var entry in await client.GetErrorCatalogAsync(cancellationToken))
            {
                await console.Out.WriteLineAsync($"{entry.Code,-30} {entry.Status}  {(entry.Retryable ? "retryable" : "         ")}  {entry.Title}");
            }
            return 0;
        });
    }
}
