using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Parley.Server.Platform.Http;

namespace Parley.Server.Platform.Idempotency;

/// <summary>Documents the optional <c>Idempotency-Key</c> header on every write that takes part in it.</summary>
internal sealed class IdempotencyDocumentation : IOpenApiOperationTransformer
{
    /// <summary>What <see cref="IdempotencyMiddleware.ParseKey"/> accepts.</summary>
    public const string KeyPattern = "^(?:[A-Za-z0-9_-]{8,128}|\"[A-Za-z0-9_-]{8,128}\")$";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        if (!IdempotencyMiddleware.IsWriteMethod(description.HttpMethod ?? "GET")
            || description.ActionDescriptor.EndpointMetadata.OfType<SkipIdempotencyMetadata>().Any())
        {
            return Task.CompletedTask;
        }
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = ParleyHeaders.IdempotencyKey,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes a retry safe: 8-128 characters of A-Z, a-z, 0-9, '_' and '-' (an RFC 8941 quoted string of them too). "
                + "A repeat with the same body answers the stored response; with another body, IDEMPOTENCY_KEY_CONFLICT.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = KeyPattern },
        });
        return Task.CompletedTask;
    }
}
