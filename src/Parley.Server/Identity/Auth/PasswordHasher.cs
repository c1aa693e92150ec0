using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Parley.Server.Identity.Auth;

/// <summary>
/// PBKDF2-HMAC-SHA256 with a 16-byte salt: <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt&gt;$&lt;hash&gt;</c>. The iteration
/// count is configuration (<c>Limits:PasswordHashIterations</c>) and is stored with each hash, so raising it later
/// keeps old hashes verifiable.
/// </summary>
internal sealed class PasswordHasher(IOptions<IdentityOptions> options)
{
    private const string Scheme = "pbkdf2-sha256";
    private readonly Lazy<string> _dummy = new(() => Hash("not a real password", options.Value.Limits.PasswordHashIterations));

    public string Hash(string password) => Hash(password, options.Value.Limits.PasswordHashIterations);

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the same time as a real check, so an unknown email answers as slowly as a wrong password.</summary>
    public void VerifyAgainstDummy(string password) => Verify(password, _dummy.Value);

    private static string Hash(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }
}
