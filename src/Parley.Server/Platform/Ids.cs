using System.Security.Cryptography;

namespace Parley.Server.Platform;

/// <summary>
/// Makes ids of the form <c>&lt;prefix&gt;_&lt;26 chars&gt;</c>: 48 bits of milliseconds then 80 random bits, in
/// Crockford base32 (ULID layout), so ids sort by creation time and cannot be guessed.
/// </summary>
internal sealed class Ids(TimeProvider time)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public string New(string prefix)
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        var value = (UInt128)(ulong)time.GetUtcNow().ToUnixTimeMilliseconds() << 80;
        for (var i = 0; i < random.Length; i++)
        {
            value |= (UInt128)random[i] << (8 * i);
        }
        return string.Create(prefix.Length + 27, (prefix, value), static (span, state) =>
        {
            state.prefix.AsSpan().CopyTo(span);
            span[state.prefix.Length] = '_';
            var body = span[(state.prefix.Length + 1)..];
            var rest = state.value;
            for (var i = 25; i >= 0; i--)
            {
                body[i] = Alphabet[(int)(rest & 31)];
                rest >>= 5;
            }
        });
    }
}
