using System.CommandLine;
using System.Diagnostics;
using Parley.Cli.Devices;
using Parley.Client;

namespace Parley.Cli.Commands;

/// <summary>
/// <c>parley run -- COMMAND…</c>: runs any program with its HTTP(S) going through Parley's gateway (gateway.md), so it
/// is governed — rules, approvals, limits, the vault's credentials, the request log — with no change to the program:
/// <c>HTTP_PROXY</c>/<c>HTTPS_PROXY</c> name the gateway proxy with the agent's credential (<c>$PARLEY_TOKEN</c>, an agent
/// key or passport), <c>NO_PROXY</c> keeps localhost direct, and the gateway's CA is trusted through
/// <c>SSL_CERT_FILE</c>, <c>NODE_EXTRA_CA_CERTS</c>, <c>REQUESTS_CA_BUNDLE</c> and <c>CURL_CA_BUNDLE</c>. The exit code is the program's.
/// </summary>
internal sealed class RunCommand : ParleyCommand
{
    private static readonly Option<Uri> Proxy = new("--proxy")
    {
        Description = "The gateway proxy (default: $PARLEY_GATEWAY_PROXY, or port 8081 of the server's host).",
        CustomParser = result => Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var uri) ? uri : null,
    };

    private static readonly Argument<string[]> Program = new("command") { Description = "The program and its arguments (after --).", Arity = ArgumentArity.OneOrMore };

    public RunCommand(CliConsole console) : base("run", "Runs a program with its HTTP(S) governed by Parley's gateway.", console)
    {
        Options.Add(Proxy);
        Arguments.Add(Program);
    }

    protected override async Task<int> ExecuteAsync(ParleyClient client, ParseResult parse, CancellationToken cancellationToken)
    {
        var token = client.Credential ?? throw new CliException("parley run needs the agent's credential in $PARLEY_TOKEN (an agent key or a passport).");
        var proxy = parse.GetValue(Proxy)
            ?? (Environment.GetEnvironmentVariable("PARLEY_GATEWAY_PROXY") is { Length: > 0 } configured ? new Uri(configured) : null)
            ?? new UriBuilder("http", client.BaseAddress.Host, 8081).Uri;
        var command = parse.GetValue(Program)!;
        var home = CliHome.Resolve();
        CliHome.Ensure(home);
        var caFile = Path.Combine(home, "gateway-ca.pem");
        using (var response = await client.SendRawAsync(HttpMethod.Get, "v1/gateway/ca.pem", null, cancellationToken))
        {
            await File.WriteAllTextAsync(caFile, await response.Content.ReadAsStringAsync(cancellationToken), cancellationToken);
        }
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        var proxyUrl = new UriBuilder(proxy) { UserName = "agent", Password = Uri.EscapeDataString(token) }.Uri.AbsoluteUri.TrimEnd('/');
        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy" })
        {
            start.Environment[name] = proxyUrl;
        }
        start.Environment["NO_PROXY"] = start.Environment["no_proxy"] = "localhost,127.0.0.1";
        foreach (var name in new[] { "SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE" })
        {
            start.Environment[name] = caFile;
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            await Console.Error.WriteLineAsync($"{command[0]}: {e.Message}");
            return 127;
        }
        using (process)
        {
            await process.WaitForExitAsync(CancellationToken.None);
            return process.ExitCode;
        }
    }
}
