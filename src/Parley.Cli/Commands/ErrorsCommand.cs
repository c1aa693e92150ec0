using System.CommandLine;
using Parley.Client;

namespace Parley.Cli.Commands;

/// <summary><c>parley errors</c>: the server's error catalog, one code per line.</summary>
internal sealed class ErrorsCommand(CliConsole console) : ParleyCommand("errors", "Lists the server's error catalog.", console)
{
    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken cancellationToken)
    {
        foreach (var entry in await client.GetErrorCatalogAsync(cancellationToken))
        {
            await Console.Out.WriteLineAsync($"{entry.Code,-30} {entry.Status}  {(entry.Retryable ? "retryable" : "         ")}  {entry.Title}");
        }
        return 0;
    }
}
