using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Parley.Bench;

/// <summary>Process limits and CPU pinning for the harness itself.</summary>
internal static partial class Native
{
    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    /// <summary>Raises the open-file limit (inherited by the server process) to what the scenarios need.</summary>
    public static ulong RaiseOpenFiles(ulong wanted)
    {
        if (!OperatingSystem.IsLinux() || getrlimit(RlimitNofile, out var limit) != 0)
        {
            return 0;
        }
        var target = new RLimit { Current = wanted, Max = Math.Max(limit.Max, wanted) };
        if (setrlimit(RlimitNofile, target) != 0)
        {
            // Not allowed to raise the hard limit: take what the hard limit allows.
            target = new RLimit { Current = Math.Min(wanted, limit.Max), Max = limit.Max };
            setrlimit(RlimitNofile, target);
        }
        getrlimit(RlimitNofile, out limit);
        return limit.Current;
    }

    /// <summary>Pins this process (the load generator) to one CPU.</summary>
    public static bool PinTo(int cpu)
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessorCount <= cpu)
        {
            return false;
        }
        Process.GetCurrentProcess().ProcessorAffinity = new IntPtr(1L << cpu);
        return true;
    }

    /// <summary>
    /// CPU time (user + system) of every running process whose name is <paramref name="name"/> (e.g. <c>postgres</c>: the
    /// database's backends and helpers), from <c>/proc/PID/stat</c>; zero where there is no /proc.
    /// </summary>
    public static TimeSpan CpuOfProcessesNamed(string name)
    {
        if (!Directory.Exists("/proc"))
        {
            return TimeSpan.Zero;
        }
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!char.IsAsciiDigit(Path.GetFileName(dir)[0]))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (stat[(open + 1)..close] != name)
                {
                    continue;
                }
                // After the name: state is field 3; utime and stime are fields 14 and 15.
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }
        // Linux reports these in clock ticks of 1/100 s (USER_HZ).
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>CPU time (user + system, all threads) of one process, from <c>/proc/PID/stat</c>.</summary>
    public static TimeSpan CpuOfProcess(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }
}
