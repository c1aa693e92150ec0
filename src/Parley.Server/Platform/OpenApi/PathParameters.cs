using System.Text.RegularExpressions;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Parley.Server.Platform.OpenApi;

/// <summary>
/// Declares every parameter of an operation's path. A route value a handler binds through a type of its own (the
/// workspace of <c>WorkspaceAccess</c>) is not a handler parameter, so the generator would leave it out; OpenAPI
/// requires every <c>{name}</c> of a path to be declared.
/// </summary>
internal sealed partial class PathParameters : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        foreach (Match match in Template().Matches(context.Description.RelativePath ?? ""))
        {
            var name = match.Groups["name"].Value;
            if (!operation.Parameters.Any(p => p.In == ParameterLocation.Path && p.Name == name))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Path,
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
        }
        return Task.CompletedTask;
    }

    [GeneratedRegex(@"\{\**(?<name>[A-Za-z_][A-Za-z0-9_]*)[^}]*\}")]
    private static partial Regex Template();
}
