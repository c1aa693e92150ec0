using System.Globalization;

namespace Parley.Server.Gateway;

/// <summary>
/// The Public Suffix List (publicsuffix.org) as Debian's <c>publicsuffix</c> package ships it
/// (<c>/usr/share/publicsuffix/public_suffix_list.dat</c>, or <c>Gateway:PublicSuffixListFile</c>): which part of a host
/// is a public suffix (<c>com</c>, <c>co.uk</c>, <c>github.io</c>) and so which is its registrable domain
/// (<c>api.github.com</c> → <c>github.com</c>). The list is read, never written by hand; the matching follows the
/// list's published algorithm (longest rule wins, <c>*</c> wildcards, <c>!</c> exceptions, the implicit <c>*</c>).
/// Without the file every host is its own domain, and only a single-label wildcard (<c>*.com</c>) is known to be a
/// public suffix; the server says so at start.
/// </summary>
internal sealed class PublicSuffixes
{
    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    public PublicSuffixes(string? path)
    {
        Loaded = path is not null && File.Exists(path);
        if (!Loaded)
        {
            return;
        }
        var idn = new IdnMapping();
        foreach (var raw in File.ReadLines(path!))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }
            var rule = line.Split(' ', '\t')[0].ToLowerInvariant();
            var set = rule.StartsWith('!') ? _exceptions : rule.StartsWith("*.", StringComparison.Ordinal) ? _wildcards : _rules;
            rule = rule.TrimStart('!');
            if (rule.StartsWith("*.", StringComparison.Ordinal))
            {
                rule = rule[2..];
            }
            try
            {
                rule = idn.GetAscii(rule);
            }
            catch (ArgumentException)
            {
                continue;
            }
            set.Add(rule);
        }
    }

    public bool Loaded { get; }

    /// <summary>The public suffix of a host name (lower case, ASCII): the longest matching rule, else its last label.</summary>
    public string SuffixOf(string host)
    {
        var labels = host.TrimEnd('.').ToLowerInvariant().Split('.');
        // Walk from the longest candidate to the shortest; the first match is the longest rule.
        for (var i = 0; i < labels.Length; i++)
        {
            var candidate = string.Join('.', labels[i..]);
            if (_exceptions.Contains(candidate))
            {
                // An exception rule: the suffix is the candidate without its first label.
                return string.Join('.', labels[(i + 1)..]);
            }
            if (_rules.Contains(candidate))
            {
                return candidate;
            }
            if (i + 1 < labels.Length && _wildcards.Contains(string.Join('.', labels[(i + 1)..])))
            {
                return candidate;
            }
        }
        return labels[^1];
    }

    /// <summary>Whether the name is itself a public suffix (<c>com</c>, <c>co.uk</c>).</summary>
    public bool IsPublicSuffix(string name) => SuffixOf(name) == name.TrimEnd('.').ToLowerInvariant();

    /// <summary>
    /// The registrable domain (the public suffix plus one label): what the per-domain limit counts. An IP address, or a
    /// name that is only a suffix, is its own domain; without the list, every host is.
    /// </summary>
    public string RegistrableDomain(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        if (!Loaded || System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _))
        {
            return host;
        }
        var suffix = SuffixOf(host);
        if (suffix.Length >= host.Length)
        {
            return host;
        }
        var rest = host[..(host.Length - suffix.Length - 1)];
        return rest[(rest.LastIndexOf('.') + 1)..] + "." + suffix;
    }
}
