using Parley.Server.Platform.Security;

namespace Parley.Server.Identity.Auth;

/// <summary>
/// Keys and tokens are <c>&lt;prefix&gt;&lt;12-character id&gt;_&lt;secret&gt;</c> with a base62 secret of 43 characters (256 bits):
/// the id finds the row, the secret's SHA-256 is compared in constant time. The secret is shown once.
/// </summary>
internal static class CredentialFormat
{
    public const string SecretKey = "prl_sk_";
    public const string PublishableKey = "prl_pk_";
    public const string PersonalToken = "prl_pat_";
    public const string DeviceToken = "prl_dev_";
    public const string RefreshToken = "prl_rt_";
    private const int IdLength = 12;
    private const int SecretLength = 43;

    public static (string Id, string Secret, string Token) New(string prefix)
    {
        var id = Secrets.RandomBase62(IdLength);
        var secret = NewSecret();
        return (id, secret, Compose(prefix, id, secret));
    }

    public static string NewSecret() => Secrets.RandomBase62(SecretLength);

    public static string Compose(string prefix, string id, string secret) => prefix + id + "_" + secret;

    public static bool TryParse(string token, string prefix, out string id, out string secret)
    {
        id = secret = "";
        if (!token.StartsWith(prefix, StringComparison.Ordinal) || token.Length < prefix.Length + IdLength + 1 + SecretLength
            || token[prefix.Length + IdLength] != '_')
        {
            return false;
        }
        id = token.Substring(prefix.Length, IdLength);
        secret = token[(prefix.Length + IdLength + 1)..];
        return id.All(char.IsAsciiLetterOrDigit) && secret.All(char.IsAsciiLetterOrDigit);
    }

    public static string Last4(string secret) => secret[^4..];

    /// <summary>
    /// A key's id as the API shows it (<c>key_</c> + the 12 characters inside the key itself, conventions.md); the
    /// stored id is the bare 12 characters, which is what a presented key carries.
    /// </summary>
    public static string PublicKeyId(string storedId) => KeyIdPrefix + storedId;

    /// <summary>The stored id named by an API key id (<c>key_…</c>; a bare id is taken as it is).</summary>
    public static string StoredKeyId(string publicId) =>
        publicId.StartsWith(KeyIdPrefix, StringComparison.Ordinal) ? publicId[KeyIdPrefix.Length..] : publicId;

    private const string KeyIdPrefix = "key_";
}
