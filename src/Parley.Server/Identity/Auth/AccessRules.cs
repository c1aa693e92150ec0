using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Identity.Auth;

internal enum Audience
{
    Owner,
    Agent,
    OwnerOrAgent,

    /// <summary>A paired device's listener (a device token).</summary>
    Device,
}

/// <summary>Who may call an endpoint. Declared on groups and endpoints; the endpoint's own declaration wins.</summary>
internal sealed record AudienceRule(Audience Audience);

/// <summary>The endpoint also accepts publishable keys (with CORS); a secret key sent from a browser is refused there.</summary>
internal sealed record PublishableAllowed;

/// <summary>A suspended agent may still call it (only <c>GET /v1/agents/me</c>).</summary>
internal sealed record SuspendedAllowed;

/// <summary>Owners may call it before accepting the terms (<c>auth/*</c>, <c>GET /v1/me</c>).</summary>
internal sealed record TermsNotRequired;

internal sealed record InstanceAdminRequired;

/// <summary>The caller must hold at least this role in the workspace named by the route's <c>workspaceId</c>.</summary>
internal sealed record WorkspaceRoleRule(string MinimumRole);

/// <summary>The scope an agent credential needs, when it is not the method's default (<c>read</c> for GET, <c>write</c> otherwise).</summary>
internal sealed record ScopeRule(string Scope);

/// <summary>What the workspace rule found, for the handler (bound as a handler parameter).</summary>
internal sealed record WorkspaceAccess(Workspace Workspace, string Role)
{
    public static ValueTask<WorkspaceAccess?> BindAsync(HttpContext context) => ValueTask.FromResult<WorkspaceAccess?>(context.Workspace());
}

internal static class AccessRuleExtensions
{
    public static TBuilder RequireOwner<TBuilder>(this TBuilder b) where TBuilder : IEndpointConventionBuilder => b.Rule(new AudienceRule(Audience.Owner));
    public static TBuilder RequireAgent<TBuilder>(this TBuilder b) where TBuilder : IEndpointConventionBuilder => b.Rule(new AudienceRule(Audience.Agent));
    public static TBuilder RequireDevice<TBuilder>(this TBuilder b) where TBuilder : IEndpointConventionBuilder => b.Rule(new AudienceRule(Audience.Device));
    public static TBuilder RequireOwnerOrAgent<TBuilder>(this TBuilder b) where TBuilder : IEndpointConventionBuilder => b.Rule(new AudienceRule(Audience.OwnerOrAgent));
    public static TBuilder AllowPublishable<TBuilder>(this TBuilder b) where TBuilder : IEndpointConventionBuilder => b.Rule(new PublishableAllowed());
    public static TBuilder AllowSuspended<TBuilder>(this TBuilder b) where TBuilder : IEndpointConventionBuilder => b.Rule(new SuspendedAllowed());
    public static TBuilder WithoutTerms<TBuilder>(this TBuilder b) where TBuilder : IEndpointConventionBuilder => b.Rule(new TermsNotRequired());
    public static TBuilder RequireInstanceAdmin<TBuilder>(this TBuilder b) where TBuilder : IEndpointConventionBuilder =>
        b.Rule(new InstanceAdminRequired()).ProducesErrors(ErrorCodes.AdminRequired);
    public static TBuilder RequireWorkspaceRole<TBuilder>(this TBuilder b, string role) where TBuilder : IEndpointConventionBuilder =>
        b.Rule(new WorkspaceRoleRule(role)).ProducesErrors(ErrorCodes.WorkspaceNotFound, ErrorCodes.PermissionDenied);
    public static TBuilder RequireScope<TBuilder>(this TBuilder b, string scope) where TBuilder : IEndpointConventionBuilder => b.Rule(new ScopeRule(scope));

    private static TBuilder Rule<TBuilder>(this TBuilder builder, object rule) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(rule);

    public static WorkspaceAccess Workspace(this HttpContext context) =>
        context.Features.Get<WorkspaceAccess>() ?? throw new InvalidOperationException("The endpoint lacks RequireWorkspaceRole.");
}

/// <summary>
/// Reads <c>Authorization: Bearer</c> and, when present, authenticates it with the matching scheme. A failure is kept
/// and answered only if the endpoint needs a caller, so public routes ignore stray credentials.
/// <para>
/// A WebSocket request lives as long as its socket, and so does its service scope: it authenticates in a scope of
/// its own, so an idle socket does not hold a database context (measured: more than half of its memory).
/// </para>
/// </summary>
internal sealed class AuthenticationMiddleware(RequestDelegate next, IServiceScopeFactory scopes)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            await using var scope = scopes.CreateAsyncScope();
            await AuthenticateAsync(context, scope.ServiceProvider.GetRequiredService<Authenticator>());
        }
        else
        {
            await AuthenticateAsync(context, context.RequestServices.GetRequiredService<Authenticator>());
        }
        await next(context);
    }

    private static async Task AuthenticateAsync(HttpContext context, Authenticator authenticator)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                context.Features.Set(new AuthenticationFailure(Authenticator.Unauthorized()));
            }
            else
            {
                try
                {
                    var caller = await authenticator.AuthenticateAsync(header[7..].Trim(), context.RequestAborted);
                    context.Features.Set(caller);
                    // Idempotency keys and rate limits are scoped to this caller, not to the client's address.
                    context.Features.Set<ICallerKey>(caller);
                }
                catch (ApiException e) when (e.Status == StatusCodes.Status401Unauthorized)
                {
                    context.Features.Set(new AuthenticationFailure(e));
                }
            }
        }
    }
}

internal sealed record AuthenticationFailure(ApiException Error);

/// <summary>
/// Applies every authorization rule, in one place, from the endpoint's metadata: audience, publishable keys, agent
/// status, scope, instance admin, terms, workspace role. Handlers never re-check these.
/// </summary>
internal sealed class AccessMiddleware(RequestDelegate next, IOptionsMonitor<IdentityOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<AudienceRule>() is not { } audience)
        {
            await next(context);
            return;
        }
        var caller = context.Features.Get<Caller>()
            ?? throw context.Features.Get<AuthenticationFailure>()?.Error ?? Authenticator.Unauthorized();

        if (audience.Audience == Audience.Owner && caller.Kind != CallerKind.Account)
        {
            throw ApiErrors.Forbidden("owner_credential_required", "This route is for owners (a session token or personal access token).");
        }
        if (audience.Audience == Audience.Agent && caller.Kind != CallerKind.Agent)
        {
            throw ApiErrors.Forbidden("agent_credential_required", "This route is for agents (a secret key or passport).");
        }
        if (audience.Audience == Audience.Device != (caller.Kind == CallerKind.Device))
        {
            throw caller.Kind == CallerKind.Device
                ? ApiErrors.Forbidden("device_credential", "A device token opens only the listener's routes.")
                : ApiErrors.Forbidden("device_credential_required", "This route is for paired devices (a device token).");
        }

        if (caller.Kind == CallerKind.Device)
        {
            // A device has no scopes, roles or terms: the audience is its whole rule.
        }
        else if (caller.Kind == CallerKind.Agent)
        {
            CheckAgent(context, metadata, caller);
        }
        else
        {
            CheckOwner(metadata, caller);
        }

        if (metadata.GetMetadata<WorkspaceRoleRule>() is { } roleRule)
        {
            context.Features.Set(await CheckWorkspaceAsync(context, context.RequestServices.GetRequiredService<ParleyDb>(), caller, roleRule));
        }
        await next(context);
    }

    private static void CheckAgent(HttpContext context, EndpointMetadataCollection metadata, Caller caller)
    {
        var publishableRoute = metadata.GetMetadata<PublishableAllowed>() is not null;
        if (caller.Credential == CredentialKind.PublishableKey && !publishableRoute)
        {
            throw ApiErrors.Forbidden("publishable_key", "A publishable key cannot call this route; use a secret key on a server.");
        }
        if (publishableRoute && caller.Credential == CredentialKind.SecretKey && context.Request.Headers.Origin.Count > 0)
        {
            throw new ApiException(ErrorCodes.WrongKeyKind, "A secret key must not be sent from a browser; use a publishable key.");
        }
        if (caller.Agent!.Status == AgentStatus.Suspended && metadata.GetMetadata<SuspendedAllowed>() is null)
        {
            throw new ApiException(ErrorCodes.AgentSuspended, "This agent is suspended.");
        }
        var scope = metadata.GetMetadata<ScopeRule>()?.Scope
            ?? (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ? Scopes.Read : Scopes.Write);
        if (!caller.HasScope(scope))
        {
            throw new ApiException(ErrorCodes.ForbiddenScope, $"This credential lacks the '{scope}' scope.",
                ApiErrors.Details(("required_scope", scope)));
        }
    }

    private void CheckOwner(EndpointMetadataCollection metadata, Caller caller)
    {
        if (metadata.GetMetadata<InstanceAdminRequired>() is not null && !caller.IsInstanceAdmin)
        {
            throw new ApiException(ErrorCodes.AdminRequired, "This route is for instance admins.");
        }
        var terms = options.CurrentValue.Terms.Version;
        if (!string.IsNullOrEmpty(terms) && caller.Account!.TermsAccepted != terms && metadata.GetMetadata<TermsNotRequired>() is null)
        {
            throw new ApiException(ErrorCodes.TermsNotAccepted, "Accept the current terms first (POST /v1/auth/accept-terms).",
                ApiErrors.Details(("terms_version", terms)));
        }
    }

    private static async Task<WorkspaceAccess> CheckWorkspaceAsync(HttpContext context, ParleyDb db, Caller caller, WorkspaceRoleRule rule)
    {
        var workspaceId = context.Request.RouteValues["workspaceId"] as string;
        var found = caller.Kind != CallerKind.Account || workspaceId is null ? null : await db.WorkspaceMembers.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.AccountId == caller.Account!.Id)
            .Join(db.Workspaces.AsNoTracking(), m => m.WorkspaceId, w => w.Id, (m, w) => new { Workspace = w, m.Role })
            .FirstOrDefaultAsync(context.RequestAborted);
        if (found is null)
        {
            throw new ApiException(ErrorCodes.WorkspaceNotFound, "No such workspace.");
        }
        if (Roles.Rank(found.Role) < Roles.Rank(rule.MinimumRole))
        {
            throw new ApiException(ErrorCodes.PermissionDenied, $"This needs the '{rule.MinimumRole}' role in the workspace.",
                ApiErrors.Details(("required_role", rule.MinimumRole)));
        }
        return new WorkspaceAccess(found.Workspace, found.Role);
    }
}
