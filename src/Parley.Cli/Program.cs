namespace Parley.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) =>
        CliApp.Build(new CliConsole(Console.Out, Console.Error)).Parse(args).InvokeAsync();
}
