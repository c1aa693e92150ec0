using System.Security.Cryptography;

namespace Parley.Server.Platform;

/// <summary>
/// Makes ids of the form <c>&lt;prefix&gt;_&lt;26 chars&gt;</c>: 48 bits of milliseconds then 80 random bits, in
/// Crockford base32 (ULID layout), so ids sort by creation time and cannot be guessed. Within one millisecond (or if
/// the clock steps back) the next id is the previous one plus one, so ids made by one node sort in creation order.
/// </summary>
internal sealed class Ids(TimeProvider time)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly UInt128 RandomMask = (UInt128.One << 80) - 1;
    private readonly Lock _gate = new();
    private UInt128 _last;

    public string New(string prefix)
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        var value = (UInt128)(ulong)time.NowMs() << 80;
        for (var i = 0; i < random.Length; i++)
        {
            value |= (UInt128)random[i] << (8 * i);
        }
        lock (_gate)
        {
            if (value >> 80 <= _last >> 80 && (_last & RandomMask) != RandomMask)
            {
                value = _last + 1;
            }
            _last = value;
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
