using System.Text;
using System.Text.Json;
using Json.Schema;
using Parley.Contracts.Errors;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Platform.Validation;

/// <summary>
/// JSON Schema (draft 2020-12) with JsonSchema.Net, for every feature that checks a payload against a schema someone
/// gave (webhook triggers, site tools): compiling one, and turning a failed evaluation into <c>VALIDATION_ERROR</c>
/// with <c>fields</c> keyed by JSON path.
/// </summary>
internal static class JsonSchemas
{
    /// <summary>A schema, or null when the JSON is not one.</summary>
    public static JsonSchema? Compile(JsonElement schema)
    {
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            return null;
        }
        try
        {
            return JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        }
        catch (Exception e) when (e is JsonSchemaException or JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary><c>VALIDATION_ERROR</c> (fields by JSON path, the root <c>$</c>) when <paramref name="payload"/> fails the schema.</summary>
    public static void ThrowIfInvalid(JsonSchema schema, JsonElement payload, string message)
    {
        var results = schema.Evaluate(payload, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return;
        }
        var fields = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .GroupBy(d => FieldOf(d.InstanceLocation.ToString()))
            .ToDictionary(g => g.Key, g => g.SelectMany(d => d.Errors!.Values).Distinct().Take(5).ToArray());
        throw new ApiException(ErrorCodes.ValidationError, message,
            fields: fields.Count > 0 ? fields : new Dictionary<string, string[]> { ["$"] = ["does not meet the schema"] });
    }

    /// <summary>A JSON Pointer (<c>/items/0/name</c>) as the error's fields key it (<c>items[0].name</c>; the root is <c>$</c>).</summary>
    public static string FieldOf(string pointer)
    {
        var segments = pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return "$";
        }
        var field = new StringBuilder();
        foreach (var segment in segments.Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)))
        {
            if (int.TryParse(segment, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                field.Append('[').Append(segment).Append(']');
            }
            else
            {
                field.Append(field.Length == 0 ? "" : ".").Append(segment);
            }
        }
        return field.ToString();
    }
}
