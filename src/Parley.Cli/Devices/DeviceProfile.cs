using System.Text.Json;
using Parley.Contracts.Json;

namespace Parley.Cli.Devices;

/// <summary>
/// What <c>parley pair</c> and <c>parley bind</c> keep on this machine: the device's token and which command runs
/// each bound agent, in <c>device.json</c> under <see cref="CliHome"/> (mode 0600). Commands and directories stay
/// here, never on the server (wake.md).
/// </summary>
internal sealed record DeviceProfile(string Server, string DeviceId, string WorkspaceId, string Name, string DeviceToken, List<LocalBinding> Bindings)
{
    public const string FileName = "device.json";

    public static string PathIn(string home) => Path.Combine(home, FileName);

    /// <summary>The profile, or null when this machine is not paired.</summary>
    public static DeviceProfile? Load(string home)
    {
        var path = PathIn(home);
        return File.Exists(path) ? JsonSerializer.Deserialize<DeviceProfile>(File.ReadAllText(path), ParleyJson.Options) : null;
    }

    /// <summary>Writes the profile whole (a temporary file renamed over the old one), readable by this user only.</summary>
    public void Save(string home)
    {
        CliHome.Ensure(home);
        var path = PathIn(home);
        var temporary = path + ".tmp";
        CliHome.WritePrivate(temporary, JsonSerializer.Serialize(this, ParleyJson.Options));
        File.Move(temporary, path, overwrite: true);
    }

    public LocalBinding? BindingFor(string agentId) => Bindings.FirstOrDefault(b => b.AgentId == agentId);
}

/// <summary>
/// How this machine runs one agent: the host, the command (for <c>custom</c>, a shell command; for the coding CLIs,
/// an optional path to the program), the command for constrained runs, and the working directory.
/// </summary>
internal sealed record LocalBinding(
    string AgentId, string AgentHandle, string Host, string Directory, string? Command = null, string? ConstrainedCommand = null,
    string? AllowedTools = null)
{
    /// <summary>Whether this machine can run the agent constrained: the coding CLIs always can; a custom host needs its constrained command.</summary>
    public bool ConstrainedCapable => Host != Contracts.Wake.Hosts.Custom || !string.IsNullOrWhiteSpace(ConstrainedCommand);
}

/// <summary>The CLI's folder: <c>$PARLEY_HOME</c>, or <c>~/.config/parley</c>. Owner-only (0700); its files 0600.</summary>
internal static class CliHome
{
    public static string Resolve() =>
        Environment.GetEnvironmentVariable("PARLEY_HOME") is { Length: > 0 } home
            ? Path.GetFullPath(home)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "parley");

    public static void Ensure(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Writes a file only its owner can read (created 0600, so there is no moment it is readable by others).</summary>
    public static void WritePrivate(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
