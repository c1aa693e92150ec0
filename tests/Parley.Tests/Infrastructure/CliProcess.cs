using System.Diagnostics;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// The real <c>parley</c> CLI as an operating-system process (<c>dotnet parley.dll …</c>) with its own
/// <c>PARLEY_HOME</c>. Its output is kept line by line; tests wait for the line they expect (with a deadline, never a
/// sleep) and can kill it the hard way, as a crash would.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _changed = new(0);

    private CliProcess(Process process) => _process = process;

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public string Text => string.Join('\n', Lines);

    public static CliProcess Start(string home, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? home,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "parley.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["PARLEY_HOME"] = home;
        foreach (var name in new[] { "PARLEY_URL", "PARLEY_SERVER", "PARLEY_TOKEN", "PARLEY_GATEWAY_PROXY" })
        {
            start.Environment.Remove(name);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => cli.Append(e.Data);
        process.ErrorDataReceived += (_, e) => cli.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Runs a verb to its end and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string home, params string[] args)
    {
        await using var cli = Start(home, args);
        var exitCode = await cli.WaitForExitAsync();
        return (exitCode, cli.Text);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
            _lines.Add(line);
        }
        _changed.Release();
    }

    /// <summary>The first line (from the <paramref name="after"/>-th on) that matches; fails the test at the deadline, with what was printed.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, int after = 0, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Lines.Skip(after).FirstOrDefault(match) is { } line)
            {
                return line;
            }
            if (_process.HasExited && Lines.Skip(after).FirstOrDefault(match) is null)
            {
                await _process.WaitForExitAsync(deadline.Token);
                if (Lines.Skip(after).FirstOrDefault(match) is { } last)
                {
                    return last;
                }
                throw new Xunit.Sdk.XunitException($"parley exited ({_process.ExitCode}) without the expected line. Output:\n{Text}");
            }
            try
            {
                await _changed.WaitAsync(TimeSpan.FromMilliseconds(200), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"parley did not print the expected line in time. Output:\n{Text}");
            }
        }
    }

    public Task<string> WaitForLineAsync(string contains, int after = 0) => WaitForLineAsync(l => l.Contains(contains, StringComparison.Ordinal), after);

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    /// <summary>Types a line into the CLI's standard input.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>SIGKILL to the CLI alone (not its children): a crash, as far as the listener can tell.</summary>
    public void Crash() => _process.Kill(entireProcessTree: false);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _changed.Dispose();
    }
}
