using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Client;

/// <summary>
/// Verifies Parley's webhook signatures (the Standard Webhooks scheme): <c>webhook-signature</c> holds one or more
/// space-separated <c>v1,&lt;base64 HMAC-SHA256&gt;</c> values over <c>"{webhook-id}.{webhook-timestamp}.{body}"</c>, keyed
/// with the base64 part of the <c>whsec_…</c> secret.
/// </summary>
public static class WebhookSignature
{
    /// <summary>
    /// True when one of the signatures matches and the timestamp is within <paramref name="tolerance"/> (default five
    /// minutes) of <paramref name="now"/>. Compare in constant time; reject anything else, and de-duplicate by the id.
    /// </summary>
    public static bool Verify(string secret, string webhookId, string webhookTimestamp, string signatureHeader, string body,
        DateTimeOffset now, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(signatureHeader);
        if (!secret.StartsWith("whsec_", StringComparison.Ordinal)
            || !long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > (tolerance ?? TimeSpan.FromMinutes(5)).TotalSeconds)
        {
            return false;
        }
        byte[] key;
        try
        {
            key = Convert.FromBase64String(secret["whsec_".Length..]);
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{webhookId}.{webhookTimestamp}.{body}"));
        foreach (var candidate in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!candidate.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue;
            }
            try
            {
                if (CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(candidate[3..]), expected))
                {
                    return true;
                }
            }
            catch (FormatException)
            {
            }
        }
        return false;
    }
}
