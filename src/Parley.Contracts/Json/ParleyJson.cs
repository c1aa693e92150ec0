using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Contracts.Json;

/// <summary>The JSON settings of the wire: snake_case names, RFC 3339 UTC timestamps with milliseconds.</summary>
public static class ParleyJson
{
    /// <summary>Options shared by the server and the SDK.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies Parley's settings to an options instance (used for ASP.NET Core's own options).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.PropertyNameCaseInsensitive = false;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new UtcTimestampConverter());
        return options;
    }

    /// <summary>Formats a time the way the wire does: <c>2026-11-22T10:00:00.000Z</c>.</summary>
    public static string FormatTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Whether a string is an RFC 3339 date-time with an offset (<c>Z</c> or <c>±hh:mm</c>).</summary>
    public static bool TryParseTime(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && Rfc3339.IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out value);
    }

    private static readonly System.Text.RegularExpressions.Regex Rfc3339 = new(
        @"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
    {
        /// <summary>Anything but an RFC 3339 timestamp is a <see cref="JsonException"/>, which the server answers as VALIDATION_ERROR.</summary>
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && TryParseTime(reader.GetString(), out var value)
                ? value
                : throw new JsonException("expected an RFC 3339 timestamp such as 2026-11-22T10:00:00.000Z");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(FormatTime(value));
    }
}
