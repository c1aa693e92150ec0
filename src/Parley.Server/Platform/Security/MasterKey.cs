using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Server.Platform.Security;

/// <summary>
/// The deployment's master key (<c>Security:MasterKey</c>, base64 of 32 bytes). It never encrypts anything directly:
/// each use derives its own key with HKDF, so a replay body can never be opened as a signing key and vice versa.
/// </summary>
internal sealed class MasterKey
{
    private const string FileName = "master.key";
    private readonly byte[] _key;
    private readonly ConcurrentDictionary<string, byte[]> _derived = new(StringComparer.Ordinal);

    private MasterKey(byte[] key) => _key = key;

    /// <summary>A 32-byte key for one purpose (e.g. <c>idempotency</c>, <c>upload-url</c>).</summary>
    public byte[] Derive(string purpose) =>
        _derived.GetOrAdd(purpose, p => HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes("parley:" + p)));

    /// <summary>
    /// Reads the key from configuration; on SQLite without one, reads or creates <c>&lt;data&gt;/master.key</c> (mode 0600).
    /// PostgreSQL deployments have several nodes that must share the key, so there it must be configured.
    /// </summary>
    public static MasterKey Load(ParleyOptions options, string dataDirectory, Action<string> log)
    {
        if (!string.IsNullOrWhiteSpace(options.Security.MasterKey))
        {
            return new MasterKey(Decode(options.Security.MasterKey, "Security:MasterKey"));
        }
        if (!string.Equals(options.Database.Provider, "sqlite", StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationException(
                "Security:MasterKey is required with PostgreSQL: every node must share it. " +
                "Generate one with `openssl rand -base64 32` and set PARLEY_Security__MasterKey.");
        }
        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            return new MasterKey(Decode(File.ReadAllText(path).Trim(), path));
        }
        var key = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(dataDirectory);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(path, Encoding.ASCII, fileOptions))
        {
            writer.Write(Convert.ToBase64String(key));
        }
        log($"Generated a new master key in {path}; back it up with the database.");
        return new MasterKey(key);
    }

    private static byte[] Decode(string base64, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new ConfigurationException($"{source} is not valid base64.");
        }
        return key.Length == 32 ? key : throw new ConfigurationException($"{source} must hold exactly 32 bytes (it holds {key.Length}).");
    }
}
