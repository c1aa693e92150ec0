namespace Parley.Contracts;

/// <summary>Patterns requests use, so the server's checks and the OpenAPI document say the same.</summary>
public static class Patterns
{
    /// <summary>A SHA-256 digest: 64 hexadecimal characters.</summary>
    public const string Sha256 = "^[0-9a-fA-F]{64}$";

    /// <summary>
    /// A handle: 3–30 characters of <c>a-z</c>, <c>0-9</c> and <c>-</c>, starting with a letter, without <c>--</c>, not
    /// ending with <c>-</c> (a few words are reserved besides).
    /// </summary>
    public const string Handle = "^(?!.*--)[a-z][a-z0-9-]{1,28}[a-z0-9]$";

    /// <summary>
    /// A media type as RFC 9110 writes it: <c>type/subtype</c>, then parameters <c>; name=value</c> (a token or a
    /// quoted string), e.g. <c>text/plain; charset=utf-8</c>.
    /// </summary>
    public const string MediaType =
        "^[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+"
        + "(?:[ \\t]*;[ \\t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|\"(?:[^\"\\\\\\u0000-\\u0008\\u000A-\\u001F\\u007F]|\\\\[\\t\\u0020-\\u007E])*\"))*$";
}
