using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Parley.Contracts.Errors;
using Parley.Server.Platform.RateLimiting;

namespace Parley.Server.Platform.OpenApi;

/// <summary>The catalog codes an endpoint can answer besides those every endpoint can.</summary>
internal sealed record ErrorCodesMetadata(IReadOnlyList<string> Codes);

/// <summary>
/// A module's say in which catalog codes an operation can answer, read from the endpoint's metadata: Identity adds what
/// its access rules answer (credentials, scopes, terms), so every operation lists them without each endpoint saying so.
/// </summary>
internal interface IOperationErrorCodes
{
    IEnumerable<string> For(IList<object> endpointMetadata, string httpMethod);
}

internal static class ErrorResponseExtensions
{
    /// <summary>Declares the catalog codes an endpoint can answer; they appear in the OpenAPI document.</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params string[] codes) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var code in codes)
        {
            _ = ErrorCatalog.Get(code);
        }
        return builder.WithMetadata(new ErrorCodesMetadata(codes));
    }
}

/// <summary>
/// Adds every endpoint's error responses to the OpenAPI document from the catalog: the codes it declares, plus those
/// the platform can answer anywhere (validation, idempotency, rate limits, credentials, 5xx). Each response lists its
/// codes in its description and in <c>x-error-codes</c>, with the error envelope as its schema.
/// </summary>
internal sealed class ErrorResponsesTransformer : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    private const string EnvelopeSchema = "ErrorEnvelope";
    private const string ProblemSchema = "ErrorProblem";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[EnvelopeSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "error" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["error"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Required = new HashSet<string> { "code", "status", "message", "request_id", "retryable" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["code"] = Code(),
                        ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                        ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["request_id"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["retryable"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                        ["details"] = new OpenApiSchema { Type = JsonSchemaType.Object },
                        ["fields"] = Fields(),
                    },
                },
            },
        };
        // The same error as RFC 9457 problem details, for a client whose Accept asks only for application/problem+json.
        document.Components.Schemas[ProblemSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "type", "title", "status", "detail", "instance", "code", "request_id", "retryable" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["code"] = Code(),
                ["request_id"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["retryable"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                ["details"] = new OpenApiSchema { Type = JsonSchemaType.Object },
                ["errors"] = Fields(),
            },
        };
        return Task.CompletedTask;
    }

    /// <summary>A catalog code.</summary>
    private static OpenApiSchema Code() => new() { Type = JsonSchemaType.String, Enum = [.. ErrorCatalog.All.Select(e => (JsonNode)JsonValue.Create(e.Code))] };

    /// <summary>What failed, by field: <c>{"content.text": ["must be at most …"]}</c>.</summary>
    private static OpenApiSchema Fields() => new()
    {
        Type = JsonSchemaType.Object,
        AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var method = context.Description.HttpMethod ?? "GET";
        // Every request can be malformed (a NUL in its URL, a header over the limit): VALIDATION_ERROR is everywhere.
        var codes = new SortedSet<string>(metadata.OfType<ErrorCodesMetadata>().SelectMany(m => m.Codes), StringComparer.Ordinal)
        {
            ErrorCodes.ValidationError,
            ErrorCodes.InternalError,
            ErrorCodes.ServiceUnavailable,
        };
        foreach (var contributor in context.ApplicationServices.GetServices<IOperationErrorCodes>())
        {
            codes.UnionWith(contributor.For(metadata, method));
        }
        if (metadata.OfType<RatePolicyMetadata>().Any())
        {
            codes.Add(ErrorCodes.RateLimited);
        }
        // A write's JSON body is capped (Limits:MaxJsonBodyBytes); the signed upload (which takes no Idempotency-Key) is not.
        if (Idempotency.IdempotencyMiddleware.IsWriteMethod(method) && !metadata.OfType<Idempotency.SkipIdempotencyMetadata>().Any())
        {
            codes.Add(ErrorCodes.ContentTooLarge);
        }

        operation.Responses ??= [];
        foreach (var group in codes.Select(ErrorCatalog.Get).GroupBy(e => e.Status).OrderBy(g => g.Key))
        {
            var list = group.Select(e => e.Code).ToList();
            var status = group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var response = new OpenApiResponse
            {
                Description = "Error: " + string.Join(", ", list),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = new OpenApiSchemaReference(EnvelopeSchema, context.Document) },
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
                },
                Extensions = new Dictionary<string, IOpenApiExtension>
                {
                    ["x-error-codes"] = new JsonNodeExtension(new JsonArray([.. list.Select(c => (JsonNode)JsonValue.Create(c))])),
                },
            };
            operation.Responses[status] = response;
        }
        return Task.CompletedTask;
    }
}
