using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Parley.Server.Platform.OpenApi;

/// <summary>
/// What the generator leaves loose in the schemas, made exact: <c>[AllowedValues]</c> on a request property becomes its
/// <c>enum</c>; a <c>[Required]</c> request property does not admit <c>null</c>; timestamps are strings (nullable ones
/// <c>null</c> or a string); and a nullable reference is <c>anyOf [null, X]</c> — the generator's <c>oneOf</c> rejects
/// every <c>null</c> when <c>X</c> admits it too (a message's <c>metadata: null</c> failed the document).
/// </summary>
internal sealed class SchemaRules : IOpenApiSchemaTransformer, IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var property = context.JsonPropertyInfo;
        var attributes = property?.AttributeProvider;
        var required = attributes?.IsDefined(typeof(RequiredAttribute), inherit: true) == true;
        if (required && schema.Type is { } declared)
        {
            schema.Type = declared & ~JsonSchemaType.Null;
        }
        if (attributes?.GetCustomAttributes(typeof(AllowedValuesAttribute), inherit: true).OfType<AllowedValuesAttribute>().FirstOrDefault() is { } allowed)
        {
            var values = allowed.Values.Select(v => (JsonNode)JsonValue.Create(v?.ToString())!).ToList();
            if (!required)
            {
                values.Add(JsonNullSentinel.JsonNull); // absent and null both mean "the default"
            }
            schema.Enum = values;
        }
        // Timestamps have their own (strict RFC 3339) converter, which hides their shape from the generator.
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
        {
            schema.Format = "date-time";
            schema.Type = type == typeof(DateTimeOffset?) && !required ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        }
        // A bound of int.MaxValue or long.MaxValue means "no bound" (a limit set by configuration, or none at all).
        if (schema.Maximum is { } maximum && decimal.TryParse(maximum, System.Globalization.CultureInfo.InvariantCulture, out var max) && max >= int.MaxValue)
        {
            schema.Maximum = null;
        }
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var schema in document.Components?.Schemas?.Values ?? [])
        {
            NullableAsAnyOf(schema);
        }
        foreach (var operation in document.Paths?.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []) ?? [])
        {
            var bodies = operation.RequestBody?.Content?.Values.AsEnumerable() ?? [];
            var answers = operation.Responses?.Values.SelectMany(r => r.Content?.Values.AsEnumerable() ?? []) ?? [];
            foreach (var media in bodies.Concat(answers))
            {
                NullableAsAnyOf(media.Schema);
            }
        }
        return Task.CompletedTask;
    }

    private static void NullableAsAnyOf(IOpenApiSchema? schema)
    {
        if (schema is not OpenApiSchema inline)
        {
            return;
        }
        if (inline.OneOf is { Count: 2 } oneOf && oneOf.Any(s => s is OpenApiSchema { Type: JsonSchemaType.Null }))
        {
            inline.AnyOf = oneOf;
            inline.OneOf = null;
        }
        foreach (var child in (inline.Properties?.Values ?? []).Append(inline.Items).Concat(inline.AnyOf ?? []).Concat(inline.AllOf ?? []))
        {
            NullableAsAnyOf(child);
        }
        if (inline.AdditionalProperties is { } additional)
        {
            NullableAsAnyOf(additional);
        }
    }
}
