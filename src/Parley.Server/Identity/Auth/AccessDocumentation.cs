using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Parley.Contracts.Errors;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Identity.Auth;

/// <summary>
/// Documents the access rules, from the same metadata <see cref="AccessMiddleware"/> reads: the bearer schemes (owner
/// session or personal token, agent key or passport, publishable key), each operation's <c>security</c>, the scope an
/// agent credential needs (<c>x-required-scope</c>), who may call it (<c>x-parley-audience</c>), and the codes
/// authentication and the access rules can answer.
/// </summary>
internal sealed class AccessDocumentation : IOpenApiOperationTransformer, IOpenApiDocumentTransformer, IOperationErrorCodes
{
    public const string OwnerScheme = "owner";
    public const string AgentScheme = "agent";
    public const string PublishableScheme = "publishable";
    public const string DeviceScheme = "device";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[OwnerScheme] = Bearer(
            "An owner: a session access token (a JWT from POST /v1/auth/login) or a personal access token (prl_pat_…).");
        document.Components.SecuritySchemes[AgentScheme] = Bearer("An agent: a secret key (prl_sk_…) or a passport (a JWT minted with one).");
        document.Components.SecuritySchemes[PublishableScheme] = Bearer("An agent's publishable key (prl_pk_…), for routes marked publishable.");
        document.Components.SecuritySchemes[DeviceScheme] = Bearer("A paired device's listener: a device token (prl_dev_…).");
        return Task.CompletedTask;
    }

    private static OpenApiSecurityScheme Bearer(string description) =>
        new() { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = description };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<AudienceRule>().LastOrDefault() is not { } rule)
        {
            return Task.CompletedTask;
        }
        var schemes = rule.Audience switch
        {
            Audience.Owner => [OwnerScheme],
            Audience.Agent => [AgentScheme],
            Audience.Device => [DeviceScheme],
            _ => new List<string> { OwnerScheme, AgentScheme },
        };
        if (metadata.OfType<PublishableAllowed>().Any())
        {
            schemes.Add(PublishableScheme);
        }
        operation.Security = [.. schemes.Select(s => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(s, context.Document)] = [] })];
        operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        operation.Extensions["x-parley-audience"] = new JsonNodeExtension(JsonValue.Create(rule.Audience switch
        {
            Audience.Owner => "owner",
            Audience.Agent => "agent",
            Audience.Device => "device",
            _ => "owner-or-agent",
        }));
        if (metadata.OfType<PublishableAllowed>().Any())
        {
            operation.Extensions["x-parley-publishable"] = new JsonNodeExtension(JsonValue.Create(true));
        }
        if (rule.Audience is Audience.Agent or Audience.OwnerOrAgent)
        {
            operation.Extensions["x-required-scope"] = new JsonNodeExtension(JsonValue.Create(RequiredScope(metadata, context.Description.HttpMethod)));
        }
        return Task.CompletedTask;
    }

    /// <summary>The scope an agent credential needs: the endpoint's own, else <c>read</c> for GET and <c>write</c> otherwise.</summary>
    public static string RequiredScope(IList<object> metadata, string? method) =>
        metadata.OfType<ScopeRule>().LastOrDefault()?.Scope ?? (method is "GET" or "HEAD" ? Scopes.Read : Scopes.Write);

    /// <summary>What <see cref="AuthenticationMiddleware"/> and <see cref="AccessMiddleware"/> can answer for this endpoint.</summary>
    public IEnumerable<string> For(IList<object> endpointMetadata, string httpMethod)
    {
        if (endpointMetadata.OfType<AudienceRule>().LastOrDefault() is not { } rule)
        {
            yield break;
        }
        // Any credential is judged by its form, whatever the route's audience: every kind's failures can come back.
        yield return ErrorCodes.Unauthorized;
        yield return ErrorCodes.InvalidToken;
        yield return ErrorCodes.TokenExpired;
        yield return ErrorCodes.TokenRevoked;
        yield return ErrorCodes.InvalidPassport;
        yield return ErrorCodes.Revoked;
        yield return ErrorCodes.Forbidden; // the wrong kind of caller, or a publishable key off its routes
        if (rule.Audience is Audience.Owner or Audience.OwnerOrAgent && endpointMetadata.OfType<TermsNotRequired>().LastOrDefault() is null)
        {
            yield return ErrorCodes.TermsNotAccepted;
        }
        if (rule.Audience is Audience.Agent or Audience.OwnerOrAgent)
        {
            yield return ErrorCodes.ForbiddenScope;
            if (endpointMetadata.OfType<SuspendedAllowed>().LastOrDefault() is null)
            {
                yield return ErrorCodes.AgentSuspended;
            }
        }
        if (endpointMetadata.OfType<PublishableAllowed>().Any())
        {
            yield return ErrorCodes.WrongKeyKind;
        }
    }
}
