using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Parley.Cli.Devices;

/// <summary>
/// A run's process. On Linux it starts through <c>setsid</c>, so it leads its own process group: stopping it stops
/// everything it started (a shell script's children too), and a Ctrl-C meant for the listener does not reach it.
/// The prompt goes to stdin, which is then closed; stdout and stderr are kept together as the last 16 KiB (the
/// run's <c>output_tail</c>) and appended to a log file.
/// </summary>
internal sealed partial class ChildProcess : IDisposable
{
    public const int TailBytes = 16 * 1024;
    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly LinkedList<string> _tail = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _tailBytes;
    private int _openStreams = 2;

    private ChildProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Id;

    /// <summary>The exit code, once the process and its output are done.</summary>
    public Task<int> Exited => _exited.Task;

    private static readonly string? Setsid = OperatingSystem.IsLinux() ? HostCommand.Which("setsid", "/usr/bin:/bin:/usr/sbin:/sbin", "/") : null;

    /// <summary>Whether stopping a child reaches its whole process group (Linux with <c>setsid</c>); elsewhere its process tree.</summary>
    public static bool HasProcessGroups => Setsid is not null;

    public static async Task<ChildProcess> StartAsync(ChildSpec spec, string prompt, string logPath)
    {
        var start = new ProcessStartInfo(Setsid ?? spec.FileName)
        {
            WorkingDirectory = spec.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Setsid is not null)
        {
            // --wait: should setsid have to fork (it does when already a group leader), it still ends with the child's exit code.
            start.ArgumentList.Add("--wait");
            start.ArgumentList.Add(spec.FileName);
        }
        foreach (var argument in spec.Arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        foreach (var (name, value) in spec.Environment)
        {
            start.Environment[name] = value;
        }
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(process, log);
        process.OutputDataReceived += (_, e) => child.Output(e.Data);
        process.ErrorDataReceived += (_, e) => child.Output(e.Data);
        process.Exited += (_, _) => _ = child.OnExitedAsync();
        try
        {
            process.Start();
        }
        catch
        {
            child.Dispose();
            throw;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.StandardInput.WriteAsync(prompt);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child exited without reading its prompt: its exit code says how it went.
        }
        return child;
    }

    /// <summary>The last 16 KiB of what the process printed (whole characters).</summary>
    public string Tail()
    {
        lock (_tail)
        {
            var text = string.Concat(_tail);
            var bytes = Encoding.UTF8.GetBytes(text);
            if (bytes.Length <= TailBytes)
            {
                return text;
            }
            var start = bytes.Length - TailBytes;
            while (start < bytes.Length && (bytes[start] & 0xC0) == 0x80)
            {
                start++;
            }
            return Encoding.UTF8.GetString(bytes, start, bytes.Length - start);
        }
    }

    /// <summary>Stops the process and what it started: SIGTERM to its group, then SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        if (HasProcessGroups)
        {
            _ = Kill(-_process.Id, SigTerm);
            if (await Task.WhenAny(_exited.Task, Task.Delay(grace)) == _exited.Task)
            {
                // The leader is gone; anything left in its group gets no more time than it did.
                _ = Kill(-_process.Id, SigKill);
                return;
            }
            _ = Kill(-_process.Id, SigKill);
        }
        else
        {
            _process.Kill(entireProcessTree: true);
        }
        await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Stops a process group a listener that died left behind (its leader's pid from the run's state file).</summary>
    public static void KillGroup(int pid)
    {
        if (HasProcessGroups)
        {
            _ = Kill(-pid, SigKill);
        }
        else
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    private void Output(string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _outputClosed.TrySetResult();
            }
            return;
        }
        lock (_tail)
        {
            _log.WriteLine(line);
            _tail.AddLast(line + "\n");
            _tailBytes += Encoding.UTF8.GetByteCount(line) + 1;
            while (_tailBytes > TailBytes * 2 && _tail.First is { } first)
            {
                _tailBytes -= Encoding.UTF8.GetByteCount(first.Value);
                _tail.RemoveFirst();
            }
        }
    }

    /// <summary>
    /// The run ends when its process does. Its last output gets up to two seconds to arrive: something it left running
    /// in the background may hold the pipes open for much longer, and must not hold the run open with them.
    /// </summary>
    private async Task OnExitedAsync()
    {
        await Task.WhenAny(_outputClosed.Task, Task.Delay(TimeSpan.FromSeconds(2)));
        _exited.TrySetResult(_process.ExitCode);
    }

    public void Dispose()
    {
        _process.Dispose();
        _log.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
