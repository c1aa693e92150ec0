using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Parley.Contracts.Errors;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Platform.Idempotency;

/// <summary>
/// Documents <c>Idempotency-Key</c> on every write that takes part in it: the optional header, and the codes it can
/// answer (a malformed key, a key reused for another request, a key whose request is still running).
/// </summary>
internal sealed class IdempotencyDocumentation : IOpenApiOperationTransformer, IOperationErrorCodes
{
    /// <summary>What <see cref="IdempotencyMiddleware.ParseKey"/> accepts.</summary>
    public const string KeyPattern = "^(?:[A-Za-z0-9_-]{8,128}|\"[A-Za-z0-9_-]{8,128}\")$";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!TakesKey(context.Description.ActionDescriptor.EndpointMetadata, context.Description.HttpMethod ?? "GET"))
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

    public IEnumerable<string> For(IList<object> endpointMetadata, string httpMethod) =>
        TakesKey(endpointMetadata, httpMethod)
            ? [ErrorCodes.IdempotencyKeyInvalid, ErrorCodes.IdempotencyKeyConflict, ErrorCodes.IdempotentInProgress]
            : [];

    private static bool TakesKey(IList<object> endpointMetadata, string httpMethod) =>
        IdempotencyMiddleware.IsWriteMethod(httpMethod) && !endpointMetadata.OfType<SkipIdempotencyMetadata>().Any();
}
