using System.CommandLine;

namespace Parley.Cli;

internal static class Program
{
    /// <summary>Exit codes: 0 success, 1 a failure (a catalog error prints its code), 2 wrong usage.</summary>
    public static async Task<int> Main(string[] args)
    {
        // No response files: "@handle" is an agent, not a file of arguments.
        var parse = CliApp.Build(new CliConsole(Console.Out, Console.Error, !Console.IsOutputRedirected)).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }
            await Console.Error.WriteLineAsync("Try `parley --help`.");
            return 2;
        }
        return await parse.InvokeAsync();
    }
}
