using System.Runtime.InteropServices;

namespace Parley.Server.Platform.Security;

/// <summary>
/// The data directory holds the database (emails, message text, password hashes), the file store, the master key and
/// the mail outbox: owner-only. The process creates everything owner-only (umask 077), the directory is 0700, and a
/// directory left more open by an older version has its files narrowed once, at start-up.
/// </summary>
internal static partial class DataDirectory
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Secure(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        _ = Umask(0b000_111_111);
        var existed = Directory.Exists(path);
        var directory = Directory.CreateDirectory(path, OwnerOnlyDirectory);
        if (existed && directory.UnixFileMode != OwnerOnlyDirectory)
        {
            foreach (var entry in directory.EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            {
                entry.UnixFileMode = entry is DirectoryInfo ? OwnerOnlyDirectory : entry.UnixFileMode & OwnerOnlyFile;
            }
            directory.UnixFileMode = OwnerOnlyDirectory;
        }
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);
}
