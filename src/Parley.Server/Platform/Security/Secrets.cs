using System.Security.Cryptography;
using System.Text;

namespace Parley.Server.Platform.Security;

/// <summary>Random secrets and constant-time comparison of their hashes.</summary>
internal static class Secrets
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A random base62 string; 43 characters carry 256 bits.</summary>
    public static string RandomBase62(int length) => RandomNumberGenerator.GetString(Base62, length);

    /// <summary>A random string of decimal digits (one-time codes).</summary>
    public static string RandomDigits(int length) => RandomNumberGenerator.GetString("0123456789", length);

    public static byte[] Sha256(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    /// <summary>Compares a presented secret with a stored SHA-256 hash in constant time.</summary>
    public static bool MatchesHash(string presented, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Sha256(presented), storedHash);

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
