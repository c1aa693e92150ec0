using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Server.Gateway.Calls;
using Parley.Server.Gateway.Vault;
using Parley.Server.Governance.Plans;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Gateway.Proxy;

/// <summary>
/// One request through the forward proxy, plain (<c>GET http://host/path</c>) or inside a CONNECT tunnel: the agent
/// behind <c>Proxy-Authorization</c> (an agent key or passport, with the <c>write</c> scope; never anonymous), the
/// request made a governed call exactly like the call API's, and the upstream's answer written back — or a catalog
/// error (the envelope and <c>X-Error-Code</c>; 407 with <c>Proxy-Authenticate</c> when the credential is missing or bad).
/// </summary>
internal sealed class ProxyRequests(IServiceProvider services)
{
    private static readonly HashSet<string> Unforwarded = new(StringComparer.OrdinalIgnoreCase) { "Host", "Content-Length", "Proxy-Connection" };

    public async Task HandleAsync(HttpContext context)
    {
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        var ct = context.RequestAborted;
        try
        {
            var request = context.Request;
            var tunnel = context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ProxyServer.TunnelKey, out var item) == true ? item as Tunnel : null;
            var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            Uri url;
            string? credential;
            if (tunnel is not null)
            {
                var host = tunnel.Host.Contains(':') ? $"[{tunnel.Host}]" : tunnel.Host;
                url = new Uri($"https://{host}:{tunnel.Port}{(raw.StartsWith('/') ? raw : "/")}");
                credential = tunnel.Credential;
            }
            else
            {
                if (raw.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ApiException(ErrorCodes.ValidationError, "An https:// URL goes through CONNECT, never as a plain proxy request.",
                        fields: new Dictionary<string, string[]> { ["url"] = ["use CONNECT for https:// (no downgrade)"] });
                }
                if (!raw.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || !Uri.TryCreate(raw, UriKind.Absolute, out url!))
                {
                    throw new ApiException(ErrorCodes.ValidationError, "This is Parley's gateway proxy: send absolute-form http:// requests, or CONNECT.",
                        fields: new Dictionary<string, string[]> { ["url"] = ["must be an absolute http:// URL"] });
                }
                credential = CredentialOf(request.Headers["Proxy-Authorization"].ToString());
            }
            var caller = await AuthenticateAsync(provider, credential, ct);
            var body = await ReadBodyAsync(request, provider.GetRequiredService<IOptions<GatewayOptions>>().Value.MaxBodyBytes, ct);
            var headers = request.Headers
                .Where(h => !Unforwarded.Contains(h.Key) && !VaultService.HopByHop.Contains(h.Key))
                .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? ""))).ToList();
            var outcome = await provider.GetRequiredService<GovernedCalls>().CallAsync(caller, new OutboundRequest(request.Method, url, headers, body),
                new CallSettings(CallVia.Proxy), ct);
            var response = context.Response;
            response.StatusCode = outcome.Response.Status;
            foreach (var (name, value) in outcome.Response.Headers)
            {
                if (!Unforwarded.Contains(name) && !VaultService.HopByHop.Contains(name))
                {
                    response.Headers.Append(name, value);
                }
            }
            response.ContentLength = outcome.Response.Body.Length;
            await response.Body.WriteAsync(outcome.Response.Body, ct);
        }
        catch (ApiException error) when (!context.Response.HasStarted)
        {
            var status = StatusOf(error);
            if (status == StatusCodes.Status407ProxyAuthenticationRequired)
            {
                context.Response.Headers.ProxyAuthenticate = "Basic realm=\"parley\"";
            }
            await provider.GetRequiredService<ErrorWriter>().WriteAsync(context, error, status);
        }
    }

    /// <summary>The secret of <c>Proxy-Authorization: Basic base64(anything:secret)</c>, or null.</summary>
    public static string? CredentialOf(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
            var colon = decoded.IndexOf(':');
            return colon >= 0 && colon < decoded.Length - 1 ? Uri.UnescapeDataString(decoded[(colon + 1)..]) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Checks a proxy credential: an agent's key or passport with the <c>write</c> scope, on a plan with the
    /// <c>gateway_proxy</c> feature. Returns the caller; throws the catalog error otherwise (no anonymous relay, ever).
    /// </summary>
    public static async Task<Caller> AuthenticateAsync(IServiceProvider provider, string? credential, CancellationToken ct)
    {
        if (credential is null)
        {
            throw Authenticator.Unauthorized();
        }
        var caller = await provider.GetRequiredService<Authenticator>().AuthenticateAsync(credential, ct);
        if (caller.Kind != CallerKind.Agent)
        {
            throw ApiErrors.Forbidden("agents_only", "The gateway proxy carries agents' calls: use an agent key or a passport.");
        }
        if (!caller.HasScope(Scopes.Write))
        {
            throw new ApiException(ErrorCodes.ForbiddenScope, "Governed calls need the 'write' scope.", ApiErrors.Details(("required_scope", Scopes.Write)));
        }
        if (caller.Agent!.OwnerWorkspaceId is { } workspaceId)
        {
            var plans = provider.GetRequiredService<PlanCatalog>();
            var plan = await provider.GetRequiredService<Governance.IWorkspaceDirectory>().PlanOfAsync(workspaceId, ct);
            plans.EnsureFeature(plans.Get(plan ?? plans.DefaultPlanName), Contracts.Governance.PlanFeatures.GatewayProxy);
        }
        return caller;
    }

    /// <summary>A refused credential is 407 at a proxy; everything else keeps its catalog status.</summary>
    public static int StatusOf(ApiException error) => error.Status == StatusCodes.Status401Unauthorized ? StatusCodes.Status407ProxyAuthenticationRequired : error.Status;

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, int max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw ApiErrors.TooLarge(max, $"A governed call's body is at most {max} bytes.");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
