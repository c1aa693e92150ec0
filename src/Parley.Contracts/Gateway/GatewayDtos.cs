using System.ComponentModel.DataAnnotations;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Gateway;

/// <summary>How a vault value goes into a call: <c>header</c> (<c>header_name</c>, <c>value_format</c> with <c>{value}</c>), <c>query</c> (<c>param_name</c>) or <c>path</c> (<c>template</c>).</summary>
/// <remarks>Part of the vault routes' requests and of <see cref="VaultEntryView"/>; the fields of other kinds are null.</remarks>
/// <param name="Kind"><c>header</c>, <c>query</c> or <c>path</c>; required.</param>
/// <param name="HeaderName">For <c>header</c>: the header to set (at most 100 characters; not <c>Host</c> nor a hop-by-hop header), e.g. <c>Authorization</c>.</param>
/// <param name="ValueFormat">For <c>header</c>: the header's value, containing <c>{value}</c> (at most 500 characters), e.g. <c>Bearer {value}</c>; null means <c>{value}</c>.</param>
/// <param name="ParamName">For <c>query</c>: the query parameter to set (at most 100 characters); a caller's own parameter of that name is replaced.</param>
/// <param name="Template">
/// For <c>path</c>: a prefix put in front of the call's path, starting with <c>/</c> and containing <c>{value}</c> exactly
/// once (at most 1,000 characters), e.g. <c>/bot{value}</c>; the value must then be path-safe (no <c>/ ? # %</c>, space or control character).
/// </param>
public sealed record Injection(
    [property: Required, AllowedValues("header", "query", "path")] string? Kind = null,
    [property: StringLength(100)] string? HeaderName = null,
    [property: StringLength(500)] string? ValueFormat = null,
    [property: StringLength(100)] string? ParamName = null,
    [property: StringLength(1000)] string? Template = null);

/// <summary>The body of <c>POST /v1/workspaces/{ws}/vault</c> (workspace admins): a credential the gateway injects into outbound calls.</summary>
/// <param name="Name">A name for people: required, 1–100 characters (trimmed).</param>
/// <param name="HostPattern">
/// Required: the host the value is for, optionally with <c>:port</c> (without one it matches every port), exact or with one
/// <c>*</c> standing for at least one character (<c>*.github.com</c>); case-insensitive. Not a URL, a path, or a wildcard
/// over a whole public suffix.
/// </param>
/// <param name="PathPattern"><c>*</c> (every path; null means this), <c>/x/*</c> (<c>/x</c> and below), or an exact path; the query is ignored.</param>
/// <param name="Injection">How the value goes into a call; required.</param>
/// <param name="Value">The secret itself: required, 1–8,192 characters. Sealed at rest and never returned.</param>
/// <param name="AgentIds">The agents (ids, handles or plates of the workspace) whose calls get the value; null or empty for every agent.</param>
public sealed record CreateVaultEntryRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: Required] string? HostPattern = null,
    string? PathPattern = null,
    [property: Required] Injection? Injection = null,
    [property: Required, StringLength(8192, MinimumLength = 1)] string? Value = null,
    IReadOnlyList<string>? AgentIds = null);

/// <summary>
/// The body of <c>PATCH /v1/workspaces/{ws}/vault/{id}</c> (workspace admins): absent members stay as they are; an
/// empty body answers <c>VALIDATION_ERROR</c> ("No fields to update").
/// </summary>
/// <param name="Name">A new name: 1–100 characters (trimmed).</param>
/// <param name="HostPattern">A new host pattern (the rules of <see cref="CreateVaultEntryRequest.HostPattern"/>).</param>
/// <param name="PathPattern">A new path pattern: <c>*</c>, <c>/x/*</c> or an exact path.</param>
/// <param name="Injection">A new way to inject the value.</param>
/// <param name="Value">A new secret (rotation): 1–8,192 characters.</param>
/// <param name="AgentIds">The agents (ids, handles or plates) whose calls get the value; empty for every agent.</param>
public sealed record UpdateVaultEntryRequest(
    [property: StringLength(100, MinimumLength = 1)] string? Name = null,
    string? HostPattern = null,
    string? PathPattern = null,
    Injection? Injection = null,
    [property: StringLength(8192, MinimumLength = 1)] string? Value = null,
    IReadOnlyList<string>? AgentIds = null);

/// <summary>A vault entry as owners see it: never its value, only the value's last four characters.</summary>
/// <remarks>The answer of <c>POST</c> (201), <c>GET</c> and <c>PATCH</c> on <c>/v1/workspaces/{ws}/vault[/{id}]</c>.</remarks>
/// <param name="Id">The entry's id (<c>sec_…</c>).</param>
/// <param name="Name">Its name.</param>
/// <param name="HostPattern">The host pattern it matches, lower-case.</param>
/// <param name="PathPattern">The path pattern it matches (<c>*</c> by default).</param>
/// <param name="Injection">How the value goes into a call, with its defaults filled in.</param>
/// <param name="ValueLast4">The value's last four characters (the whole value when it is shorter).</param>
/// <param name="AgentIds">The agents (<c>agt_…</c>) whose calls get the value; null for every agent of the workspace.</param>
/// <param name="CreatedAt">When the entry was made (RFC 3339 UTC).</param>
/// <param name="UpdatedAt">When it last changed (RFC 3339 UTC).</param>
public sealed record VaultEntryView(
    string Id, string Name, string HostPattern, string PathPattern, Injection Injection, string ValueLast4, IReadOnlyList<string>? AgentIds,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/vault</c>.</summary>
/// <param name="Data">Every entry of the workspace, by id.</param>
public sealed record VaultEntryList(IReadOnlyList<VaultEntryView> Data);

/// <summary>Rule actions, in the order the gateway weighs them.</summary>
public static class RuleActions
{
    /// <summary>Refuse the call: <c>403 POLICY_BLOCKED</c>.</summary>
    public const string Block = "block";
    /// <summary>Hold the call until an owner approves or denies it.</summary>
    public const string ManualApproval = "manual_approval";
    /// <summary>Count the call in a fixed window per rule and agent: <c>429 RATE_LIMITED</c> beyond the limit.</summary>
    public const string RateLimit = "rate_limit";
    /// <summary>Let the call through (needed for any call when the workspace's policy is <c>deny</c>).</summary>
    public const string Allow = "allow";

    /// <summary>Every action, in the order the gateway weighs them.</summary>
    public static readonly IReadOnlyList<string> All = [Block, ManualApproval, RateLimit, Allow];
}

/// <summary>The body of <c>POST /v1/workspaces/{ws}/rules</c> (workspace admins): a rule of the outbound policy.</summary>
/// <param name="Name">A name for people: required, 1–100 characters (trimmed).</param>
/// <param name="HostPattern">Required: the host the rule covers, optionally with <c>:port</c>, exact or with one <c>*</c>; case-insensitive.</param>
/// <param name="PathPattern"><c>*</c> (every path; null means this), <c>/x/*</c> (<c>/x</c> and below), or an exact path.</param>
/// <param name="Method">An HTTP method (letters, at most 10, stored upper-case); null for every method.</param>
/// <param name="AgentId">The agent (id, handle or plate of the workspace) the rule is for; null for every agent.</param>
/// <param name="Action">Required: <c>block</c>, <c>manual_approval</c>, <c>rate_limit</c> or <c>allow</c>.</param>
/// <param name="RateLimit">Calls allowed per window, 1–1,000,000: required with <c>rate_limit</c>, refused with other actions.</param>
/// <param name="RateLimitWindow"><c>minute</c>, <c>hour</c> or <c>day</c>: required with <c>rate_limit</c>, refused with other actions.</param>
/// <param name="Enabled">Whether the rule takes part in decisions; null means <c>true</c>.</param>
/// <param name="PresentIdentity">Whether calls it matches carry <c>Parley-Agent-Identity</c>; null means <c>false</c>.</param>
public sealed record CreateRuleRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: Required] string? HostPattern = null,
    string? PathPattern = null,
    [property: StringLength(10)] string? Method = null,
    string? AgentId = null,
    [property: Required, AllowedValues("block", "manual_approval", "rate_limit", "allow")] string? Action = null,
    [property: Range(1, 1_000_000)] long? RateLimit = null,
    [property: AllowedValues("minute", "hour", "day", null)] string? RateLimitWindow = null,
    bool? Enabled = null,
    bool? PresentIdentity = null);

/// <summary>
/// The body of <c>PATCH /v1/workspaces/{ws}/rules/{id}</c> (workspace admins): absent (null) members stay as they are;
/// an empty body answers <c>VALIDATION_ERROR</c>. The result must still be a valid rule.
/// </summary>
/// <param name="Name">A new name: 1–100 characters (trimmed).</param>
/// <param name="HostPattern">A new host pattern.</param>
/// <param name="PathPattern">A new path pattern: <c>*</c>, <c>/x/*</c> or an exact path.</param>
/// <param name="Method">A new HTTP method (letters, at most 10).</param>
/// <param name="AgentId">A new agent (id, handle or plate of the workspace).</param>
/// <param name="Action">A new action: <c>block</c>, <c>manual_approval</c>, <c>rate_limit</c> or <c>allow</c>.</param>
/// <param name="RateLimit">Calls allowed per window, 1–1,000,000 (<c>rate_limit</c> rules only).</param>
/// <param name="RateLimitWindow"><c>minute</c>, <c>hour</c> or <c>day</c> (<c>rate_limit</c> rules only).</param>
/// <param name="Enabled">Whether the rule takes part in decisions.</param>
/// <param name="PresentIdentity">Whether calls it matches carry <c>Parley-Agent-Identity</c>.</param>
public sealed record UpdateRuleRequest(
    [property: StringLength(100, MinimumLength = 1)] string? Name = null,
    string? HostPattern = null,
    string? PathPattern = null,
    [property: StringLength(10)] string? Method = null,
    string? AgentId = null,
    [property: AllowedValues("block", "manual_approval", "rate_limit", "allow", null)] string? Action = null,
    [property: Range(1, 1_000_000)] long? RateLimit = null,
    [property: AllowedValues("minute", "hour", "day", null)] string? RateLimitWindow = null,
    bool? Enabled = null,
    bool? PresentIdentity = null);

/// <summary>
/// A rule of the outbound policy, as <c>POST</c> (201), <c>GET</c> and <c>PATCH</c> on <c>/v1/workspaces/{ws}/rules[/{id}]</c>
/// answer it (and inside <see cref="ExplainView"/>).
/// </summary>
/// <param name="Id">The rule's id (<c>rule_…</c>).</param>
/// <param name="Name">Its name (an approval's <c>remember</c> names its rule <c>approved: METHOD host/path</c>).</param>
/// <param name="HostPattern">The host pattern it matches, lower-case.</param>
/// <param name="PathPattern">The path pattern it matches (<c>*</c> by default).</param>
/// <param name="Method">The HTTP method it matches, upper-case; null for every method.</param>
/// <param name="AgentId">The agent it is for (<c>agt_…</c>); null for every agent.</param>
/// <param name="Action"><c>block</c>, <c>manual_approval</c>, <c>rate_limit</c> or <c>allow</c>.</param>
/// <param name="RateLimit">Calls allowed per window and agent; null unless the action is <c>rate_limit</c>.</param>
/// <param name="RateLimitWindow"><c>minute</c>, <c>hour</c> or <c>day</c>; null unless the action is <c>rate_limit</c>.</param>
/// <param name="Enabled">Whether the rule takes part in decisions.</param>
/// <param name="PresentIdentity">Whether calls it matches carry <c>Parley-Agent-Identity</c>.</param>
/// <param name="CreatedAt">When the rule was made (RFC 3339 UTC).</param>
/// <param name="UpdatedAt">When it last changed (RFC 3339 UTC).</param>
public sealed record RuleView(
    string Id, string Name, string HostPattern, string PathPattern, string? Method, string? AgentId, string Action, long? RateLimit,
    string? RateLimitWindow, bool Enabled, bool PresentIdentity, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/rules</c>.</summary>
/// <param name="Data">Every rule of the workspace, by id.</param>
public sealed record RuleList(IReadOnlyList<RuleView> Data);

/// <summary>
/// The body of <c>PATCH /v1/workspaces/{ws}/gateway</c> (workspace admins): the workspace's default policy and
/// per-domain limit. Absent members stay as they are; at least one is needed.
/// </summary>
/// <param name="PolicyMode"><c>allow</c> (the default: calls no rule refuses go) or <c>deny</c> (only calls an <c>allow</c> or <c>rate_limit</c> rule matches go).</param>
/// <param name="PerDomainPerMinute">Governed calls per minute to one registrable domain, 1–1,000,000 (default <c>Limits:Gateway:PerDomainPerMinute</c>, 10).</param>
public sealed record GatewaySettingsRequest(
    [property: AllowedValues("allow", "deny", null)] string? PolicyMode = null,
    [property: Range(1, 1_000_000)] int? PerDomainPerMinute = null);

/// <summary>The answer of <c>GET</c> and <c>PATCH /v1/workspaces/{ws}/gateway</c>: the workspace's gateway settings.</summary>
/// <param name="WorkspaceId">The workspace (<c>ws_…</c>).</param>
/// <param name="PolicyMode"><c>allow</c> or <c>deny</c>.</param>
/// <param name="PerDomainPerMinute">Governed calls per minute allowed to one registrable domain.</param>
public sealed record GatewaySettingsView(string WorkspaceId, string PolicyMode, int PerDomainPerMinute);

/// <summary>A governed call: the agent asks the gateway to make it.</summary>
/// <remarks>The body of <c>POST /v1/gateway/calls</c> (an agent with <c>write</c>); the answer is a <see cref="GatewayCallResult"/>.</remarks>
/// <param name="Method">The HTTP method: required, 1–10 letters (any case), e.g. <c>GET</c>.</param>
/// <param name="Url">The absolute <c>http://</c> or <c>https://</c> URL to call, without credentials: required, at most 8,192 characters.</param>
/// <param name="Headers">Request headers by name; hop-by-hop headers are dropped, and a caller's <c>Authorization</c> is replaced where a vault entry covers the host.</param>
/// <param name="Body">A text body (sent as UTF-8); give this or <see cref="BodyBase64"/>, not both. At most 10 MiB.</param>
/// <param name="BodyBase64">A binary body, base64-encoded; give this or <see cref="Body"/>, not both. At most 10 MiB decoded.</param>
/// <param name="TimeoutMs">How long to wait for the upstream, in milliseconds: 1–120,000; null means 30,000.</param>
public sealed record GatewayCallRequest(
    [property: Required, StringLength(10, MinimumLength = 1)] string? Method = null,
    [property: Required, StringLength(8192, MinimumLength = 1)] string? Url = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? Body = null,
    string? BodyBase64 = null,
    [property: Range(1, 120_000)] int? TimeoutMs = null);

/// <summary>The upstream's answer, whatever its status: <c>body</c> for text, <c>body_base64</c> otherwise.</summary>
/// <remarks>The answer of <c>POST /v1/gateway/calls</c> (200, even when the upstream answered 404 or 500).</remarks>
/// <param name="Status">The upstream's HTTP status.</param>
/// <param name="Headers">The upstream's response headers, names lower-case, repeated headers joined with <c>, </c>; hop-by-hop headers dropped.</param>
/// <param name="Body">The body as text, when it is UTF-8 and its type is text (<c>text/*</c>, JSON, XML, JavaScript, form data) or absent; otherwise null.</param>
/// <param name="BodyBase64">The body in base64, when <paramref name="Body"/> is null; otherwise null.</param>
/// <param name="DurationMs">How long the upstream took, in milliseconds.</param>
/// <param name="Injected">The vault entries whose values went into the call (<c>sec_…</c>); empty for none.</param>
/// <param name="LogId">The call's line in the request log (<c>glog_…</c>).</param>
public sealed record GatewayCallResult(
    int Status, IReadOnlyDictionary<string, string> Headers, string? Body, string? BodyBase64, long DurationMs, IReadOnlyList<string> Injected, string LogId);

/// <summary>The request log's decisions.</summary>
public static class GatewayDecisions
{
    /// <summary>The call went out (whatever the upstream answered).</summary>
    public const string Allowed = "allowed";
    /// <summary>Refused by a rule, the default policy, the private-address guard, or a lack of credits.</summary>
    public const string Blocked = "blocked";
    /// <summary>Refused by a rule's window, the per-domain limit or the monthly quota.</summary>
    public const string RateLimited = "rate_limited";
    /// <summary>Held for approval, then denied, expired or cancelled.</summary>
    public const string ApprovalDenied = "approval_denied";
    /// <summary>The call failed otherwise: the upstream failed or timed out, a body was too large, or the caller left.</summary>
    public const string Error = "error";
}

/// <summary>
/// One line of the request log, as <c>GET /v1/workspaces/{ws}/gateway/log</c> lists it (newest first): never header
/// values, bodies or query strings.
/// </summary>
/// <param name="Id">The line's id (<c>glog_…</c>); the call's <c>log_id</c>.</param>
/// <param name="Agent">Who the call was made for: an agent, or a person for a model session they started.</param>
/// <param name="Method">The HTTP method, upper-case.</param>
/// <param name="Host">The host called, lower-case.</param>
/// <param name="Path">The path called, without the query.</param>
/// <param name="Status">The upstream's HTTP status; null when there was no answer (refused or failed).</param>
/// <param name="DurationMs">How long the upstream took, in milliseconds; null when the call was not sent.</param>
/// <param name="Decision"><c>allowed</c>, <c>blocked</c>, <c>rate_limited</c>, <c>approval_denied</c> or <c>error</c> (<see cref="GatewayDecisions"/>).</param>
/// <param name="RuleId">
/// The rule that decided (the blocking rule, the one that held the call, the rate limit that refused it), else the
/// first rule that matched; null when none did.
/// </param>
/// <param name="ApprovalId">The approval the call waited for (<c>apr_…</c>); null when it was not held.</param>
/// <param name="Injected">The vault entries whose values went into the call (<c>sec_…</c>).</param>
/// <param name="BytesOut">The request body's size in bytes.</param>
/// <param name="BytesIn">The response body's size in bytes (0 when there was none).</param>
/// <param name="ErrorCode">The catalog code the call ended with (or <c>CANCELLED</c> when the caller left); null when it succeeded.</param>
/// <param name="Via">How the call came: <c>api</c> (the call API), <c>proxy</c> (the forward proxy) or <c>tool</c> (a site's tool).</param>
/// <param name="CreatedAt">When the call started (RFC 3339 UTC).</param>
public sealed record GatewayLogView(
    string Id, ActorRef Agent, string Method, string Host, string Path, int? Status, long? DurationMs, string Decision, string? RuleId, string? ApprovalId,
    IReadOnlyList<string> Injected, long BytesOut, long BytesIn, string? ErrorCode, string Via, DateTimeOffset CreatedAt);

/// <summary>The body of <c>POST /v1/workspaces/{ws}/gateway/explain</c>: the call to explain, which is not made.</summary>
/// <param name="Agent">The agent that would make the call (id, handle or plate of the workspace); required.</param>
/// <param name="Method">The HTTP method: required, 1–10 characters.</param>
/// <param name="Url">The absolute <c>http(s)</c> URL: required, at most 8,192 characters.</param>
public sealed record ExplainRequest(
    [property: Required] string? Agent = null,
    [property: Required, StringLength(10, MinimumLength = 1)] string? Method = null,
    [property: Required, StringLength(8192, MinimumLength = 1)] string? Url = null);

/// <summary>A vault entry that would be injected into an explained call (<c>injected</c> in <see cref="ExplainView"/>).</summary>
/// <param name="EntryId">The entry's id (<c>sec_…</c>).</param>
/// <param name="Name">The entry's name.</param>
/// <param name="Kind">How its value would go in: <c>header</c>, <c>query</c> or <c>path</c>.</param>
public sealed record ExplainedInjection(string EntryId, string Name, string Kind);

/// <summary>What the gateway would do with a call, without making it: <c>allow</c>, <c>block</c>, <c>manual_approval</c> or <c>rate_limit</c>.</summary>
/// <remarks>The answer of <c>POST /v1/workspaces/{ws}/gateway/explain</c>.</remarks>
/// <param name="Decision"><c>allow</c>, <c>block</c>, <c>manual_approval</c> or <c>rate_limit</c> (<see cref="RuleActions"/>).</param>
/// <param name="Rule">The rule that decides; null when none does (see <paramref name="Reason"/>).</param>
/// <param name="Reason">
/// Why, when no rule decides: <c>default_policy</c> (allowed, or blocked in <c>deny</c> mode) or <c>private_address</c>
/// (blocked); null when <paramref name="Rule"/> is set.
/// </param>
/// <param name="Injected">The vault entries whose values would go into the call; empty for none.</param>
/// <param name="WouldCount">Whether the call would count against the per-domain limit, the quota and credits (false when blocked).</param>
public sealed record ExplainView(string Decision, RuleView? Rule, string? Reason, IReadOnlyList<ExplainedInjection> Injected, bool WouldCount);

/// <summary>
/// A call held for an owner's decision, as <c>GET /v1/workspaces/{ws}/approvals</c> lists it and
/// <c>POST /v1/approvals/{id}/decision</c> answers it.
/// </summary>
/// <param name="Id">The approval's id (<c>apr_…</c>).</param>
/// <param name="Agent">The agent whose call waits.</param>
/// <param name="Method">The call's HTTP method, upper-case.</param>
/// <param name="Url">The call's URL without its query.</param>
/// <param name="Host">The host called.</param>
/// <param name="Path">The path called.</param>
/// <param name="BodyPreview">The start of the body, at most 1,024 characters, with vault values replaced by <c>[vault]</c>; null when the call has no body.</param>
/// <param name="RuleId">The <c>manual_approval</c> rule that held the call (<c>rule_…</c>).</param>
/// <param name="Status"><c>pending</c>, <c>approved</c>, <c>denied</c>, <c>expired</c> or <c>cancelled</c> (the caller went away).</param>
/// <param name="CreatedAt">When the call was held (RFC 3339 UTC).</param>
/// <param name="ExpiresAt">When it expires undecided (RFC 3339 UTC): <c>Gateway:ApprovalTimeoutSeconds</c> (180) after <paramref name="CreatedAt"/>.</param>
public sealed record ApprovalView(
    string Id, ActorRef Agent, string Method, string Url, string Host, string Path, string? BodyPreview, string? RuleId, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/approvals?status&amp;wait&amp;exclude</c> (a long-poll when <c>wait</c> is given).</summary>
/// <param name="Data">The approvals of the status asked for (<c>pending</c> by default), without the excluded ids; empty when none appeared in time.</param>
public sealed record ApprovalList(IReadOnlyList<ApprovalView> Data);

/// <summary>The body of <c>POST /v1/approvals/{id}/decision</c> (an owner of the approval's workspace).</summary>
/// <param name="Decision"><c>approve</c> or <c>deny</c>; required.</param>
/// <param name="Remember">With <c>approve</c>: also add an <c>allow</c> rule for this agent, method, host and path, so the same call is not held again.</param>
public sealed record ApprovalDecisionRequest(
    [property: Required, AllowedValues("approve", "deny")] string? Decision = null,
    bool? Remember = null);

/// <summary>The body of <c>POST /v1/workspaces/{ws}/sites</c> (workspace admins): a site whose manifest publishes tools.</summary>
/// <param name="Url">The site's absolute <c>http(s)</c> URL (its manifest is looked up under it): required, 1–2,048 characters.</param>
/// <param name="Token">
/// A token for the site's tool server (1–8,192 characters): it becomes a vault entry for that server's host, injected as
/// <c>Authorization: Bearer &lt;token&gt;</c>. Null for none.
/// </param>
/// <param name="PresentIdentity">Whether the site's tool calls carry <c>Parley-Agent-Identity</c>; null means <c>false</c>.</param>
public sealed record CreateSiteRequest(
    [property: Required, StringLength(2048, MinimumLength = 1)] string? Url = null,
    [property: StringLength(8192, MinimumLength = 1)] string? Token = null,
    bool? PresentIdentity = null);

/// <summary>One tool a site publishes: its name, what it does, and the JSON Schema of its arguments.</summary>
/// <param name="Name">The tool's name, as <c>POST /v1/sites/{id}/tools/{tool}/call</c> names it.</param>
/// <param name="Description">What the tool does, from the manifest.</param>
/// <param name="InputSchema">The JSON Schema (an object) that a call's <c>arguments</c> must meet.</param>
public sealed record SiteTool(string Name, string Description, System.Text.Json.JsonElement InputSchema);

/// <summary>A site of a workspace (<c>site</c> in <see cref="SiteWithTools"/>), as its manifest last described it.</summary>
/// <param name="Id">The site's id (<c>site_…</c>).</param>
/// <param name="Url">The URL it was added with.</param>
/// <param name="ManifestUrl">Where its manifest was found: <c>/.well-known/webmcp.json</c>, <c>/webmcp.json</c> or <c>/api/webmcp/manifest</c> under <paramref name="Url"/>.</param>
/// <param name="Name">The manifest's <c>name</c>.</param>
/// <param name="Version">The manifest's <c>version</c>.</param>
/// <param name="ServerUrl">The manifest's <c>server.url</c>: tool calls go to <c>POST {server_url}/tools/{tool}</c>.</param>
/// <param name="AuthType">The manifest's <c>auth.type</c>: <c>bearer</c> or <c>oauth2</c>.</param>
/// <param name="PresentIdentity">Whether its tool calls carry <c>Parley-Agent-Identity</c>.</param>
/// <param name="TokenEntryId">The vault entry made from the token given when the site was added (<c>sec_…</c>); null when none was given.</param>
/// <param name="CreatedAt">When the site was added (RFC 3339 UTC).</param>
/// <param name="RefreshedAt">When its manifest was last fetched (RFC 3339 UTC).</param>
public sealed record SiteView(
    string Id, string Url, string ManifestUrl, string Name, string Version, string ServerUrl, string AuthType, bool PresentIdentity, string? TokenEntryId,
    DateTimeOffset CreatedAt, DateTimeOffset RefreshedAt);

/// <summary>A site with its tools, as made, refreshed or read.</summary>
/// <remarks>
/// The answer of <c>POST /v1/workspaces/{ws}/sites</c> (201) and <c>POST …/sites/{id}/refresh</c>, and an item of
/// <see cref="SiteList"/>.
/// </remarks>
/// <param name="Site">The site.</param>
/// <param name="Tools">The tools its manifest publishes.</param>
public sealed record SiteWithTools(SiteView Site, IReadOnlyList<SiteTool> Tools);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/sites</c> (owners) and <c>GET /v1/sites</c> (an agent: its workspace's sites).</summary>
/// <param name="Data">Every site of the workspace with its tools, by id; empty for an agent without a workspace.</param>
public sealed record SiteList(IReadOnlyList<SiteWithTools> Data);

/// <summary>The body of <c>POST /v1/sites/{id}/tools/{tool}/call</c> (an agent with <c>write</c>; the body may be absent).</summary>
/// <param name="Arguments">The tool's arguments, checked against its input schema and sent as the JSON body; null means <c>{}</c>.</param>
public sealed record ToolCallRequest(System.Text.Json.JsonElement? Arguments = null);

/// <summary>The tool's JSON answer.</summary>
/// <remarks>The answer of <c>POST /v1/sites/{id}/tools/{tool}/call</c> when the tool answered 2xx.</remarks>
/// <param name="Result">The tool's JSON answer; JSON <c>null</c> for an empty body, a string for a body that is not JSON.</param>
/// <param name="LogId">The call's line in the request log (<c>glog_…</c>).</param>
public sealed record ToolCallResult(System.Text.Json.JsonElement Result, string LogId);

/// <summary>The body of <c>POST /v1/identity/verify</c> (any agent key, a publishable one too): a site checks who calls.</summary>
/// <param name="Token">The <c>Parley-Agent-Identity</c> header's value (a JWT); required.</param>
/// <param name="Audience">The site's own host name, which the token must be for: required, 1–253 characters, case-insensitive.</param>
public sealed record IdentityVerifyRequest(
    [property: Required] string? Token = null,
    [property: Required, StringLength(253, MinimumLength = 1)] string? Audience = null);

/// <summary>Whether an identity token (<c>Parley-Agent-Identity</c>) is genuine and for this audience: the agent and its owner's workspace, or why not.</summary>
/// <remarks>The answer of <c>POST /v1/identity/verify</c> (always 200).</remarks>
/// <param name="Valid">Whether the token is genuine, unexpired, for this audience, and of an agent that is neither deleted nor suspended.</param>
/// <param name="Agent">The agent it presents; null when not valid.</param>
/// <param name="Owner">The agent's owner workspace (<c>ws_…</c>); null when not valid or when the agent has no owner.</param>
/// <param name="Reason">
/// Why not, when not valid: <c>malformed</c>, <c>not_identity</c>, <c>audience</c>, <c>signature</c>, <c>expired</c> or
/// <c>agent_inactive</c>; null when valid.
/// </param>
public sealed record IdentityVerifyResult(bool Valid, Identity.ActorRef? Agent, string? Owner, string? Reason);
