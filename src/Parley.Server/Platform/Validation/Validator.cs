using System.Text;
using Parley.Contracts.Errors;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Platform.Validation;

/// <summary>
/// Collects field errors, keyed by JSON path, and throws one <c>VALIDATION_ERROR</c> with all of them. Request DTOs
/// keep their members nullable so a missing field is reported here, by name, rather than by the JSON reader.
/// </summary>
internal sealed class Validator
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Validator Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
        return this;
    }

    public string Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
            return "";
        }
        return value;
    }

    public T? Required<T>(string field, T? value) where T : struct
    {
        if (value is null)
        {
            Add(field, "is required");
        }
        return value;
    }

    /// <summary>Length in characters (UTF-16 code units are not characters: counts runes).</summary>
    public void Length(string field, string? value, int min, int max)
    {
        if (value is null)
        {
            return;
        }
        var length = value.EnumerateRunes().Count();
        if (length < min || length > max)
        {
            Add(field, min == 0 ? $"must be at most {max} characters" : $"must be {min}-{max} characters");
        }
    }

    /// <summary>
    /// A name people read (a display name, a room, group, workspace or file name, a title): its length in characters,
    /// and none of the characters that make a name show as something it is not — C0 and C1 controls (NUL, newlines,
    /// escape…) and the bidirectional formatting controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, which
    /// can reorder what follows them, e.g. <c>U+202E</c>).
    /// </summary>
    public void Name(string field, string? value, int min, int max)
    {
        Length(field, value, min, max);
        if (value is not null && value.Any(Text.NameCharacters.IsForbidden))
        {
            Add(field, "must not contain control characters or bidirectional formatting characters");
        }
    }

    public void MaxBytes(string field, string? value, int maxBytes)
    {
        if (value is not null && Encoding.UTF8.GetByteCount(value) > maxBytes)
        {
            Add(field, $"must be at most {maxBytes} bytes");
        }
    }

    public void Range(string field, long? value, long min, long max)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(field, $"must be between {min} and {max}");
        }
    }

    public void OneOf(string field, string? value, params string[] allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            Add(field, "must be one of: " + string.Join(", ", allowed));
        }
    }

    /// <param name="message">The error's message (the default names the request).</param>
    public void ThrowIfInvalid(string message = "The request is not valid.")
    {
        if (!IsValid)
        {
            throw new ApiException(ErrorCodes.ValidationError, message,
                fields: _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}

/// <summary>
/// The one form of <c>fields</c> keys: the JSON path of the input without its leading <c>$.</c> (<c>content.text</c>,
/// <c>mentions[0]</c>); a query or path parameter by its name (<c>limit</c>); the body as a whole is <c>$</c>.
/// </summary>
internal static partial class FieldNames
{
    public const string Body = "$";

    public static string FromJsonPath(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? Body
            : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..]
            : path.StartsWith('$') ? path[1..]
            : path;

    /// <summary>The parameter a framework binding message names, or null.</summary>
    public static string? FromBindingMessage(string message) =>
        BindingParameter().Match(message) is { Success: true } match ? match.Groups[1].Value : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"parameter ""[^""]* ([A-Za-z_][A-Za-z0-9_]*)""")]
    private static partial System.Text.RegularExpressions.Regex BindingParameter();
}
