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
    /// database's backends and helpers), from <c>/proc</c>; zero where there is no /proc.
    /// </summary>
    public static TimeSpan CpuOfProcessesNamed(string name)
    {
        if (!Directory.Exists("/proc"))
        {
            return TimeSpan.Zero;
        }
        var total = TimeSpan.Zero;
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0])))
        {
            try
            {
                if (ReadStat(Path.GetFileName(dir)) is { Name: var n, Cpu: var cpu } && n == name)
                {
                    total += cpu;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }
        return total;
    }

    /// <summary>CPU time (user + system, all threads) of one process, from <c>/proc/PID/stat</c>.</summary>
    public static TimeSpan CpuOfProcess(int pid) => ReadStat(pid.ToString(System.Globalization.CultureInfo.InvariantCulture)).Cpu;

    private static (string Name, TimeSpan Cpu) ReadStat(string pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var close = stat.LastIndexOf(')');
        // After the name in parentheses: state is field 3; utime and stime are fields 14 and 15, in clock ticks of 1/100 s.
        var fields = stat[(close + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return (stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..close], TimeSpan.FromMilliseconds(ticks * 10));
    }
}
