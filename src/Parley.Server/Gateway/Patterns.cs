namespace Parley.Server.Gateway;

/// <summary>
/// Host and path patterns of vault entries and rules (gateway.md). A host pattern is a host name, optionally with
/// <c>:port</c> (without one it matches every port), exact or with one <c>*</c> that stands for at least one
/// character, compared without case. A path
/// pattern is <c>*</c> (everything), <c>/x/*</c> (<c>/x</c> and below, not <c>/xy</c>) or an exact path; the query is
/// never part of it.
/// </summary>
internal static class Patterns
{
    /// <summary>The field's message when a host pattern is unusable (the wording OneCLI's users know), or null.</summary>
    public static string? HostProblem(string? pattern, PublicSuffixes suffixes)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return "is required";
        }
        if (pattern.Contains("://", StringComparison.Ordinal))
        {
            return "Enter a hostname, not a URL (remove http:// or https://)";
        }
        if (pattern.Contains('/', StringComparison.Ordinal))
        {
            return "Enter a hostname only, not a path (use the path pattern field for paths)";
        }
        if (pattern.Any(char.IsWhiteSpace))
        {
            return "Host pattern must not contain spaces";
        }
        if (pattern.Length > 253)
        {
            return "must be at most 253 characters";
        }
        var (host, port) = SplitPort(pattern.ToLowerInvariant());
        if (port is not null && !(int.TryParse(port, out var p) && p is > 0 and < 65536))
        {
            return "has a port that is not a number from 1 to 65535";
        }
        if (host.Count(c => c == '*') > 1)
        {
            return "may contain at most one *";
        }
        if (host.Length == 0 || host.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '*' or '_' or '[' or ']' or ':')))
        {
            return "must be a host name (letters, digits, dots, hyphens), optionally with :port";
        }
        if (host.StartsWith("*.", StringComparison.Ordinal) && (suffixes.IsPublicSuffix(host[2..]) || !host[2..].Contains('.')))
        {
            return $"A wildcard may not cover a whole public suffix ({host[2..]})";
        }
        return host == "*" ? "A wildcard may not cover every host" : null;
    }

    /// <summary>The field's message when a path pattern is unusable, or null.</summary>
    public static string? PathProblem(string? pattern) =>
        pattern is null or "*" ? null
        : !pattern.StartsWith('/') ? "must be * or start with /"
        : pattern.Contains('?') || pattern.Contains('#') ? "must not contain a query or fragment"
        : pattern.IndexOf('*') is var star && star >= 0 && !(star == pattern.Length - 1 && pattern.EndsWith("/*", StringComparison.Ordinal))
            ? "may only end with /* (a folder and everything below it)"
        : pattern.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? "must not contain spaces"
        : pattern.Length > 1000 ? "must be at most 1000 characters" : null;

    /// <summary>Whether a host pattern matches a call's host and port (a pattern without a port matches any port).</summary>
    public static bool HostMatches(string pattern, string host, int port)
    {
        var (patternHost, patternPort) = SplitPort(pattern.ToLowerInvariant());
        if (patternPort is not null && patternPort != port.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return false;
        }
        host = host.ToLowerInvariant();
        var star = patternHost.IndexOf('*');
        if (star < 0)
        {
            return patternHost == host;
        }
        var prefix = patternHost[..star];
        var suffix = patternHost[(star + 1)..];
        return host.Length >= prefix.Length + suffix.Length + 1 && host.StartsWith(prefix, StringComparison.Ordinal)
            && host.EndsWith(suffix, StringComparison.Ordinal);
    }

    /// <summary>Whether a path pattern matches a call's path (without its query).</summary>
    public static bool PathMatches(string? pattern, string path)
    {
        if (pattern is null or "*")
        {
            return true;
        }
        if (pattern.EndsWith("/*", StringComparison.Ordinal))
        {
            var folder = pattern[..^2];
            return path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);
        }
        return path == pattern;
    }

    /// <summary>How specific a host pattern is: exact beats wildcard; then the longer literal part.</summary>
    public static int HostSpecificity(string pattern) => (pattern.Contains('*') ? 0 : 100_000) + pattern.Replace("*", "").Length;

    /// <summary>How specific a path pattern is: an exact path, then the longer folder, then <c>*</c>.</summary>
    public static int PathSpecificity(string? pattern) =>
        pattern is null or "*" ? 0 : pattern.EndsWith("/*", StringComparison.Ordinal) ? pattern.Length : 100_000 + pattern.Length;

    private static (string Host, string? Port) SplitPort(string pattern)
    {
        if (pattern.StartsWith('['))
        {
            var close = pattern.IndexOf(']');
            return close > 0 && close + 1 < pattern.Length && pattern[close + 1] == ':' ? (pattern[..(close + 1)], pattern[(close + 2)..]) : (pattern, null);
        }
        var colon = pattern.LastIndexOf(':');
        return colon > 0 ? (pattern[..colon], pattern[(colon + 1)..]) : (pattern, null);
    }
}
