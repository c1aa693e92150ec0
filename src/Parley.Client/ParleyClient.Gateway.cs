using System.Text.Json;
using Parley.Contracts.Gateway;
using Parley.Contracts.Identity;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    // ---- The vault (owners) ----

    /// <summary>Adds a credential the gateway injects into matching calls; its value is never shown again.</summary>
    public Task<VaultEntryView> CreateVaultEntryAsync(string workspaceId, CreateVaultEntryRequest entry, CancellationToken cancellationToken = default) =>
        SendAsync<VaultEntryView>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/vault", entry, cancellationToken);

    /// <summary>The vault's entries (never their values).</summary>
    public Task<VaultEntryList> ListVaultEntriesAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<VaultEntryList>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/vault", null, cancellationToken);

    /// <summary>Changes an entry or rotates its value.</summary>
    public Task<VaultEntryView> UpdateVaultEntryAsync(string workspaceId, string entryId, UpdateVaultEntryRequest change, CancellationToken cancellationToken = default) =>
        SendAsync<VaultEntryView>(HttpMethod.Patch, $"v1/workspaces/{Escape(workspaceId)}/vault/{Escape(entryId)}", change, cancellationToken);

    /// <summary>Removes an entry.</summary>
    public Task DeleteVaultEntryAsync(string workspaceId, string entryId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/vault/{Escape(entryId)}", null, cancellationToken);

    // ---- Rules and settings (owners) ----

    /// <summary>Adds a rule: block, manual_approval, rate_limit or allow.</summary>
    public Task<RuleView> CreateRuleAsync(string workspaceId, CreateRuleRequest rule, CancellationToken cancellationToken = default) =>
        SendAsync<RuleView>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/rules", rule, cancellationToken);

    /// <summary>The workspace's rules.</summary>
    public Task<RuleList> ListRulesAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<RuleList>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/rules", null, cancellationToken);

    /// <summary>Changes a rule.</summary>
    public Task<RuleView> UpdateRuleAsync(string workspaceId, string ruleId, UpdateRuleRequest change, CancellationToken cancellationToken = default) =>
        SendAsync<RuleView>(HttpMethod.Patch, $"v1/workspaces/{Escape(workspaceId)}/rules/{Escape(ruleId)}", change, cancellationToken);

    /// <summary>Removes a rule.</summary>
    public Task DeleteRuleAsync(string workspaceId, string ruleId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/rules/{Escape(ruleId)}", null, cancellationToken);

    /// <summary>Sets the default policy (allow or deny) and the per-domain limit.</summary>
    public Task<GatewaySettingsView> SetGatewaySettingsAsync(string workspaceId, GatewaySettingsRequest settings, CancellationToken cancellationToken = default) =>
        SendAsync<GatewaySettingsView>(HttpMethod.Patch, $"v1/workspaces/{Escape(workspaceId)}/gateway", settings, cancellationToken);

    /// <summary>A page of the request log, newest first.</summary>
    public Task<Page<GatewayLogView>> ListGatewayLogAsync(string workspaceId, string? agent = null, string? host = null, string? decision = null,
        int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<GatewayLogView>>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/gateway/log"
            + Query(("agent", agent), ("host", host), ("decision", decision), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>What the gateway would do with a call, without making it.</summary>
    public Task<ExplainView> ExplainCallAsync(string workspaceId, string agent, string method, Uri url, CancellationToken cancellationToken = default) =>
        SendAsync<ExplainView>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/gateway/explain",
            new ExplainRequest(agent, method, url?.ToString()), cancellationToken);

    // ---- Approvals (owners) ----

    /// <summary>Approvals of one status; with <paramref name="waitSeconds"/>, waits (≤ 60 s) until a pending one not in <paramref name="exclude"/> appears.</summary>
    public Task<ApprovalList> ListApprovalsAsync(string workspaceId, string? status = null, int? waitSeconds = null, IEnumerable<string>? exclude = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<ApprovalList>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/approvals"
            + Query(("status", status), ("wait", waitSeconds), ("exclude", exclude is null ? null : string.Join(',', exclude))), null, cancellationToken);

    /// <summary>Approves or denies a held call; <paramref name="remember"/> on approve adds an allow rule for the same call.</summary>
    public Task<ApprovalView> DecideApprovalAsync(string approvalId, bool approve, bool remember = false, CancellationToken cancellationToken = default) =>
        SendAsync<ApprovalView>(HttpMethod.Post, $"v1/approvals/{Escape(approvalId)}/decision",
            new ApprovalDecisionRequest(approve ? "approve" : "deny", remember), cancellationToken);

    // ---- Calls, sites and identity (agents) ----

    /// <summary>A governed call (the agent's key or passport): the upstream's status and body come back as data.</summary>
    public Task<GatewayCallResult> GatewayCallAsync(GatewayCallRequest call, CancellationToken cancellationToken = default) =>
        SendAsync<GatewayCallResult>(HttpMethod.Post, "v1/gateway/calls", call, cancellationToken);

    /// <summary>Adds a site by its URL (owners): its manifest is found and its tools kept.</summary>
    public Task<SiteWithTools> CreateSiteAsync(string workspaceId, CreateSiteRequest site, CancellationToken cancellationToken = default) =>
        SendAsync<SiteWithTools>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/sites", site, cancellationToken);

    /// <summary>The calling agent's workspace's sites and their tools.</summary>
    public Task<SiteList> ListAgentSitesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<SiteList>(HttpMethod.Get, "v1/sites", null, cancellationToken);

    /// <summary>Calls a site's tool with arguments (checked against its schema) as a governed call.</summary>
    public Task<ToolCallResult> CallSiteToolAsync(string siteId, string tool, JsonElement arguments, CancellationToken cancellationToken = default) =>
        SendAsync<ToolCallResult>(HttpMethod.Post, $"v1/sites/{Escape(siteId)}/tools/{Escape(tool)}/call", new ToolCallRequest(arguments), cancellationToken);

    /// <summary>Checks a <c>Parley-Agent-Identity</c> token for this audience (a site's publishable key will do).</summary>
    public Task<IdentityVerifyResult> VerifyIdentityAsync(string token, string audience, CancellationToken cancellationToken = default) =>
        SendAsync<IdentityVerifyResult>(HttpMethod.Post, "v1/identity/verify", new IdentityVerifyRequest(token, audience), cancellationToken);

    /// <summary>The gateway CA's certificate (PEM), to trust for HTTPS through the proxy.</summary>
    public async Task<string> GetGatewayCaAsync(CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, "v1/gateway/ca.pem", null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>One vault entry (its value is never returned).</summary>
    public Task<VaultEntryView> GetVaultEntryAsync(string workspaceId, string entryId, CancellationToken cancellationToken = default) =>
        SendAsync<VaultEntryView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/vault/{Escape(entryId)}", null, cancellationToken);

    /// <summary>One rule.</summary>
    public Task<RuleView> GetRuleAsync(string workspaceId, string ruleId, CancellationToken cancellationToken = default) =>
        SendAsync<RuleView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/rules/{Escape(ruleId)}", null, cancellationToken);

    /// <summary>The workspace's gateway settings: the policy mode and the per-domain rate.</summary>
    public Task<GatewaySettingsView> GetGatewaySettingsAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<GatewaySettingsView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/gateway", null, cancellationToken);

    /// <summary>The workspace's sites with their tools (owners).</summary>
    public Task<SiteList> ListSitesAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<SiteList>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/sites", null, cancellationToken);

    /// <summary>Reads the site's tool list again from its MCP endpoint.</summary>
    public Task<SiteWithTools> RefreshSiteAsync(string workspaceId, string siteId, CancellationToken cancellationToken = default) =>
        SendAsync<SiteWithTools>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/sites/{Escape(siteId)}/refresh", null, cancellationToken);

    /// <summary>Removes a site: its tools are gone for agents and sessions.</summary>
    public Task DeleteSiteAsync(string workspaceId, string siteId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/sites/{Escape(siteId)}", null, cancellationToken);
}
