using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Gateway;
using Parley.Contracts.Identity;
using Parley.Server.Gateway.Approvals;
using Parley.Server.Gateway.Calls;
using Parley.Server.Gateway.Log;
using Parley.Server.Gateway.Rules;
using Parley.Server.Gateway.Vault;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Idempotency;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Gateway;

/// <summary>The gateway's routes (gateway.md): they translate HTTP; the rules live in the services.</summary>
internal static class GatewayEndpoints
{
    public static IEndpointRouteBuilder MapGatewayRoutes(this IEndpointRouteBuilder app)
    {
        var workspace = app.MapGroup("/v1/workspaces/{workspaceId}").WithTags("Gateway").RequireOwner();
        workspace.MapPost("/vault", CreateEntryAsync).WithName("CreateVaultEntry").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("A credential for outbound calls: injected by host and path, its value never shown again.")
            .ProducesErrors(ErrorCodes.TokenExists, ErrorCodes.FeatureLimitReached, ErrorCodes.AgentNotFound);
        workspace.MapGet("/vault", ListEntriesAsync).WithName("ListVaultEntries").RequireWorkspaceRole(Roles.Member)
            .WithSummary("The vault's entries (never their values).");
        workspace.MapGet("/vault/{entryId}", GetEntryAsync).WithName("GetVaultEntry").RequireWorkspaceRole(Roles.Member).WithSummary("One vault entry.")
            .ProducesErrors(ErrorCodes.NotFound);
        workspace.MapPatch("/vault/{entryId}", UpdateEntryAsync).WithName("UpdateVaultEntry").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Change an entry or rotate its value.").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.TokenExists, ErrorCodes.AgentNotFound);
        workspace.MapDelete("/vault/{entryId}", DeleteEntryAsync).WithName("DeleteVaultEntry").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Remove an entry.").ProducesErrors(ErrorCodes.NotFound);

        workspace.MapPost("/rules", CreateRuleAsync).WithName("CreateRule").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("A rule of the outbound policy: block, manual_approval, rate_limit or allow.").ProducesErrors(ErrorCodes.AgentNotFound);
        workspace.MapGet("/rules", ListRulesAsync).WithName("ListRules").RequireWorkspaceRole(Roles.Member).WithSummary("The workspace's rules.");
        workspace.MapGet("/rules/{ruleId}", GetRuleAsync).WithName("GetRule").RequireWorkspaceRole(Roles.Member).WithSummary("One rule.")
            .ProducesErrors(ErrorCodes.NotFound);
        workspace.MapPatch("/rules/{ruleId}", UpdateRuleAsync).WithName("UpdateRule").RequireWorkspaceRole(Roles.Admin).WithSummary("Change a rule.")
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.AgentNotFound);
        workspace.MapDelete("/rules/{ruleId}", DeleteRuleAsync).WithName("DeleteRule").RequireWorkspaceRole(Roles.Admin).WithSummary("Remove a rule.")
            .ProducesErrors(ErrorCodes.NotFound);

        workspace.MapGet("/gateway", GetSettingsAsync).WithName("GetGatewaySettings").RequireWorkspaceRole(Roles.Member)
            .WithSummary("The default policy and the per-domain limit.");
        workspace.MapPatch("/gateway", SetSettingsAsync).WithName("SetGatewaySettings").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Set the default policy (allow or deny) and the per-domain limit.");
        workspace.MapGet("/gateway/log", LogAsync).WithName("GatewayLog").RequireWorkspaceRole(Roles.Member)
            .WithSummary("The request log, newest first (never header values, bodies or query strings).").ProducesErrors(ErrorCodes.ValidationError);
        workspace.MapPost("/gateway/explain", ExplainAsync).WithName("ExplainCall").RequireWorkspaceRole(Roles.Member)
            .WithSummary("What the gateway would do with a call, without making it.").ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.InvalidUrl);

        workspace.MapGet("/approvals", ListApprovalsAsync).WithName("ListApprovals").RequireWorkspaceRole(Roles.Member)
            .WithSummary("Approvals of one status (pending by default); with wait, a long-poll until one appears.");
        app.MapPost("/v1/approvals/{approvalId}/decision", DecideAsync).WithTags("Gateway").RequireOwner().WithName("DecideApproval")
            .WithSummary("Approve or deny a held call; remember adds an allow rule.").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.Conflict);

        workspace.MapPost("/sites", CreateSiteAsync).WithName("CreateSite").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Add a site by its URL: its manifest is found, checked and kept with its tools.")
            .ProducesErrors(ErrorCodes.InvalidUrl, ErrorCodes.NotFound, ErrorCodes.TokenExists, ErrorCodes.FeatureLimitReached, ErrorCodes.PolicyBlocked);
        workspace.MapGet("/sites", ListSitesAsync).WithName("ListSites").RequireWorkspaceRole(Roles.Member).WithSummary("The workspace's sites and tools.");
        workspace.MapPost("/sites/{siteId}/refresh", RefreshSiteAsync).WithName("RefreshSite").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Fetch the site's manifest again.").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.PolicyBlocked);
        workspace.MapDelete("/sites/{siteId}", DeleteSiteAsync).WithName("DeleteSite").RequireWorkspaceRole(Roles.Admin).WithSummary("Remove a site.")
            .ProducesErrors(ErrorCodes.NotFound);
        var agentSites = app.MapGroup("/v1/sites").WithTags("Gateway").RequireAgent();
        agentSites.MapGet("", AgentSitesAsync).WithName("ListAgentSites").WithSummary("The sites of the calling agent's workspace, with their tools.");
        agentSites.MapPost("/{siteId}/tools/{tool}/call", CallToolAsync).RequireScope(Scopes.Write).WithName("CallSiteTool")
            .WithMetadata(new SkipIdempotencyMetadata())
            .WithSummary("Call a site's tool: arguments checked against its schema, then a governed call.")
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.PolicyBlocked, ErrorCodes.ApprovalDenied, ErrorCodes.RateLimited, ErrorCodes.OutgoingRateLimited,
                ErrorCodes.QuotaExceeded, ErrorCodes.NoCredits, ErrorCodes.UpstreamError, ErrorCodes.UpstreamTimeout, ErrorCodes.ContentTooLarge,
                ErrorCodes.ServiceUnavailable);
        app.MapPost("/v1/identity/verify", VerifyIdentityAsync).WithTags("Gateway").RequireAgent().AllowPublishable().WithName("VerifyIdentity")
            .WithSummary("Whether a Parley-Agent-Identity token is genuine and for this audience (a site checks who calls).");

        app.MapPost("/v1/gateway/calls", CallAsync).WithTags("Gateway").RequireAgent().RequireScope(Scopes.Write).WithName("GatewayCall")
            .WithMetadata(new SkipIdempotencyMetadata())
            .WithSummary("A governed outbound call: rules, approvals, limits, the vault's credentials injected, logged. The upstream's status is data.")
            .ProducesErrors(ErrorCodes.InvalidUrl, ErrorCodes.PolicyBlocked, ErrorCodes.ApprovalDenied, ErrorCodes.RateLimited, ErrorCodes.OutgoingRateLimited,
                ErrorCodes.QuotaExceeded, ErrorCodes.NoCredits, ErrorCodes.ContentTooLarge, ErrorCodes.UpstreamError, ErrorCodes.UpstreamTimeout,
                ErrorCodes.ServiceUnavailable);
        return app;
    }

    private static async Task<Created<VaultEntryView>> CreateEntryAsync(CreateVaultEntryRequest request, Caller caller, WorkspaceAccess access, VaultService s,
        CancellationToken ct)
    {
        var entry = await s.CreateAsync(caller, access.Workspace, request, ct);
        return TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/vault/{entry.Id}", entry);
    }

    private static async Task<Ok<VaultEntryList>> ListEntriesAsync(WorkspaceAccess access, VaultService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, ct));

    private static async Task<Ok<VaultEntryView>> GetEntryAsync(string entryId, WorkspaceAccess access, VaultService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(access.Workspace, entryId, ct));

    private static async Task<Ok<VaultEntryView>> UpdateEntryAsync(string entryId, UpdateVaultEntryRequest request, WorkspaceAccess access, VaultService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateAsync(access.Workspace, entryId, request, ct));

    private static async Task<NoContent> DeleteEntryAsync(string entryId, WorkspaceAccess access, VaultService s, CancellationToken ct)
    {
        await s.DeleteAsync(access.Workspace, entryId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<RuleView>> CreateRuleAsync(CreateRuleRequest request, WorkspaceAccess access, RuleService s, CancellationToken ct)
    {
        var rule = await s.CreateAsync(access.Workspace, request, ct);
        return TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/rules/{rule.Id}", rule);
    }

    private static async Task<Ok<RuleList>> ListRulesAsync(WorkspaceAccess access, RuleService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, ct));

    private static async Task<Ok<RuleView>> GetRuleAsync(string ruleId, WorkspaceAccess access, RuleService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(access.Workspace, ruleId, ct));

    private static async Task<Ok<RuleView>> UpdateRuleAsync(string ruleId, UpdateRuleRequest request, WorkspaceAccess access, RuleService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateAsync(access.Workspace, ruleId, request, ct));

    private static async Task<NoContent> DeleteRuleAsync(string ruleId, WorkspaceAccess access, RuleService s, CancellationToken ct)
    {
        await s.DeleteAsync(access.Workspace, ruleId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<GatewaySettingsView>> GetSettingsAsync(WorkspaceAccess access, RuleService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetSettingsAsync(access.Workspace, ct));

    private static async Task<Ok<GatewaySettingsView>> SetSettingsAsync(GatewaySettingsRequest request, WorkspaceAccess access, RuleService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.SetSettingsAsync(access.Workspace, request, ct));

    private static async Task<Ok<Page<GatewayLogView>>> LogAsync(string? agent, string? host,
        [AllowedValues("allowed", "blocked", "rate_limited", "approval_denied", "error", null)] string? decision, [Range(1, Platform.Validation.Paging.MaxLimit)] int? limit,
        string? cursor, WorkspaceAccess access, GatewayLog s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, agent, host, decision, limit, cursor, ct));

    private static async Task<Ok<ExplainView>> ExplainAsync(ExplainRequest request, WorkspaceAccess access, GovernedCalls s, CancellationToken ct)
    {
        var v = new Platform.Validation.Validator();
        v.Length("url", request.Url, 1, 8192);
        v.Length("method", request.Method, 1, 10);
        v.Required("agent", request.Agent);
        v.Required("method", request.Method);
        v.Required("url", request.Url);
        v.ThrowIfInvalid();
        return TypedResults.Ok(await s.ExplainAsync(access.Workspace.Id, request.Agent!, request.Method!, CallUrl(request.Url), ct));
    }

    private static async Task<Ok<ApprovalList>> ListApprovalsAsync([AllowedValues("pending", "approved", "denied", "expired", "cancelled", null)] string? status,
        [Range(0, 60)] int? wait, string? exclude, WorkspaceAccess access, ApprovalService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, status, wait,
            (exclude ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), ct));

    private static async Task<Ok<ApprovalView>> DecideAsync(string approvalId, ApprovalDecisionRequest request, Caller caller, ApprovalService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.DecideAsync(caller, approvalId, request, ct));

    private static async Task<Ok<GatewayCallResult>> CallAsync(GatewayCallRequest request, Caller caller, GovernedCalls s, CancellationToken ct)
    {
        var v = new Platform.Validation.Validator();
        var method = v.Required("method", request.Method).ToUpperInvariant();
        v.Required("url", request.Url);
        if (method is { Length: > 0 } && (method.Length > 10 || !method.All(char.IsAsciiLetter)))
        {
            v.Add("method", "must be an HTTP method such as GET or POST");
        }
        v.Length("url", request.Url, 1, 8192);
        if (request.TimeoutMs is < 1 or > 120_000)
        {
            v.Add("timeout_ms", "must be from 1 to 120000");
        }
        if (request.Body is not null && request.BodyBase64 is not null)
        {
            v.Add("body", "give body or body_base64, not both");
        }
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in request.Headers ?? new Dictionary<string, string>())
        {
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)) || value.Any(c => char.IsControl(c) && c != '\t'))
            {
                v.Add($"headers.{name}", "must be a header name with a value without control characters");
                continue;
            }
            headers.Add(new(name, value));
        }
        byte[] body = [];
        if (request.BodyBase64 is { } base64)
        {
            try
            {
                body = Convert.FromBase64String(base64);
            }
            catch (FormatException)
            {
                v.Add("body_base64", "is not base64");
            }
        }
        else if (request.Body is { } text)
        {
            body = Encoding.UTF8.GetBytes(text);
        }
        v.ThrowIfInvalid();
        var url = CallUrl(request.Url!);
        var outcome = await s.CallAsync(caller, new OutboundRequest(method, url, headers, body), new CallSettings(CallVia.Api, request.TimeoutMs), ct);
        var response = outcome.Response;
        var headerMap = response.Headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key.ToLowerInvariant(), g => string.Join(", ", g.Select(h => h.Value)));
        var isText = IsText(headerMap.GetValueOrDefault("content-type")) && Utf8(response.Body);
        return TypedResults.Ok(new GatewayCallResult(response.Status, headerMap, isText ? Encoding.UTF8.GetString(response.Body) : null,
            isText ? null : Convert.ToBase64String(response.Body), outcome.DurationMs, outcome.Injected, outcome.LogId));
    }

    private static async Task<Created<SiteWithTools>> CreateSiteAsync(CreateSiteRequest request, Caller caller, WorkspaceAccess access, Sites.SiteService s,
        CancellationToken ct)
    {
        var site = await s.CreateAsync(caller, access.Workspace, request, ct);
        return TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/sites/{site.Site.Id}", site);
    }

    private static async Task<Ok<SiteList>> ListSitesAsync(WorkspaceAccess access, Sites.SiteService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace.Id, ct));

    private static async Task<Ok<SiteWithTools>> RefreshSiteAsync(string siteId, WorkspaceAccess access, Sites.SiteService s, CancellationToken ct) =>
        TypedResults.Ok(await s.RefreshAsync(access.Workspace, siteId, ct));

    private static async Task<NoContent> DeleteSiteAsync(string siteId, WorkspaceAccess access, Sites.SiteService s, CancellationToken ct)
    {
        await s.DeleteAsync(access.Workspace, siteId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<SiteList>> AgentSitesAsync(Caller caller, Sites.SiteService s, CancellationToken ct) =>
        TypedResults.Ok(caller.Agent!.OwnerWorkspaceId is { } workspaceId ? await s.ListAsync(workspaceId, ct) : new SiteList([]));

    private static async Task<Ok<ToolCallResult>> CallToolAsync(string siteId, string tool, ToolCallRequest? request, Caller caller, Sites.SiteService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.CallToolAsync(caller, siteId, tool, request ?? new ToolCallRequest(), ct));

    private static async Task<Ok<IdentityVerifyResult>> VerifyIdentityAsync(IdentityVerifyRequest request, IdentityPresentation s, CancellationToken ct)
    {
        var v = new Platform.Validation.Validator();
        v.Required("token", request.Token);
        v.Required("audience", request.Audience);
        v.Length("audience", request.Audience, 1, 253);
        v.ThrowIfInvalid();
        return TypedResults.Ok(await s.VerifyAsync(request.Token!, request.Audience!, ct));
    }

    /// <summary>An absolute http(s) URL, or <c>INVALID_URL</c>.</summary>
    private static Uri CallUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0 && string.IsNullOrEmpty(url.UserInfo)
            ? url
            : throw new ApiException(ErrorCodes.InvalidUrl, "The URL must be absolute, http:// or https://, without credentials.", ApiErrors.Details(("field", "url")));

    private static bool IsText(string? contentType) =>
        contentType is null || contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("json", StringComparison.OrdinalIgnoreCase) || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("javascript", StringComparison.OrdinalIgnoreCase) || contentType.Contains("x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static bool Utf8(byte[] body) => System.Text.Unicode.Utf8.IsValid(body);
}
