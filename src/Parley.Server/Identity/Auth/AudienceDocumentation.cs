using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Parley.Server.Identity.Auth;

/// <summary>
/// Documents who may call each operation: <c>x-parley-audience</c> (<c>owner</c>, <c>agent</c>, <c>owner-or-agent</c>;
/// absent for public routes), and <c>x-parley-publishable</c> where publishable keys are accepted.
/// </summary>
internal sealed class AudienceDocumentation : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<AudienceRule>().LastOrDefault() is { } rule)
        {
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-parley-audience"] = new JsonNodeExtension(JsonValue.Create(rule.Audience switch
            {
                Audience.Owner => "owner",
                Audience.Agent => "agent",
                _ => "owner-or-agent",
            }));
            if (metadata.OfType<PublishableAllowed>().Any())
            {
                operation.Extensions["x-parley-publishable"] = new JsonNodeExtension(JsonValue.Create(true));
            }
        }
        return Task.CompletedTask;
    }
}
