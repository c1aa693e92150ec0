using System.ComponentModel.DataAnnotations;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Gateway;

/// <summary>How a vault value goes into a call: <c>header</c> (<c>header_name</c>, <c>value_format</c> with <c>{value}</c>), <c>query</c> (<c>param_name</c>) or <c>path</c> (<c>template</c>).</summary>
public sealed record Injection(
    [property: Required, AllowedValues("header", "query", "path")] string? Kind = null,
    [property: StringLength(100)] string? HeaderName = null,
    [property: StringLength(500)] string? ValueFormat = null,
    [property: StringLength(100)] string? ParamName = null,
    [property: StringLength(1000)] string? Template = null);

public sealed record CreateVaultEntryRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null,
    [property: Required] string? HostPattern = null,
    string? PathPattern = null,
    [property: Required] Injection? Injection = null,
    [property: Required, StringLength(8192, MinimumLength = 1)] string? Value = null,
    IReadOnlyList<string>? AgentIds = null);

public sealed record UpdateVaultEntryRequest(
    [property: StringLength(100, MinimumLength = 1)] string? Name = null,
    string? HostPattern = null,
    string? PathPattern = null,
    Injection? Injection = null,
    [property: StringLength(8192, MinimumLength = 1)] string? Value = null,
    IReadOnlyList<string>? AgentIds = null);

/// <summary>A vault entry as owners see it: never its value, only the value's last four characters.</summary>
public sealed record VaultEntryView(
    string Id, string Name, string HostPattern, string PathPattern, Injection Injection, string ValueLast4, IReadOnlyList<string>? AgentIds,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record VaultEntryList(IReadOnlyList<VaultEntryView> Data);

/// <summary>Rule actions, in the order the gateway weighs them.</summary>
public static class RuleActions
{
    public const string Block = "block";
    public const string ManualApproval = "manual_approval";
    public const string RateLimit = "rate_limit";
    public const string Allow = "allow";

    public static readonly IReadOnlyList<string> All = [Block, ManualApproval, RateLimit, Allow];
}

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

public sealed record RuleView(
    string Id, string Name, string HostPattern, string PathPattern, string? Method, string? AgentId, string Action, long? RateLimit,
    string? RateLimitWindow, bool Enabled, bool PresentIdentity, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record RuleList(IReadOnlyList<RuleView> Data);

public sealed record GatewaySettingsRequest(
    [property: AllowedValues("allow", "deny", null)] string? PolicyMode = null,
    [property: Range(1, 1_000_000)] int? PerDomainPerMinute = null);

public sealed record GatewaySettingsView(string WorkspaceId, string PolicyMode, int PerDomainPerMinute);

/// <summary>A governed call: the agent asks the gateway to make it.</summary>
public sealed record GatewayCallRequest(
    [property: Required, StringLength(10, MinimumLength = 1)] string? Method = null,
    [property: Required, StringLength(8192, MinimumLength = 1)] string? Url = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? Body = null,
    string? BodyBase64 = null,
    [property: Range(1, 120_000)] int? TimeoutMs = null);

/// <summary>The upstream's answer, whatever its status: <c>body</c> for text, <c>body_base64</c> otherwise.</summary>
public sealed record GatewayCallResult(
    int Status, IReadOnlyDictionary<string, string> Headers, string? Body, string? BodyBase64, long DurationMs, IReadOnlyList<string> Injected, string LogId);

/// <summary>The request log's decisions.</summary>
public static class GatewayDecisions
{
    public const string Allowed = "allowed";
    public const string Blocked = "blocked";
    public const string RateLimited = "rate_limited";
    public const string ApprovalDenied = "approval_denied";
    public const string Error = "error";
}

public sealed record GatewayLogView(
    string Id, ActorRef Agent, string Method, string Host, string Path, int? Status, long? DurationMs, string Decision, string? RuleId, string? ApprovalId,
    IReadOnlyList<string> Injected, long BytesOut, long BytesIn, string? ErrorCode, string Via, DateTimeOffset CreatedAt);

public sealed record ExplainRequest(
    [property: Required] string? Agent = null,
    [property: Required, StringLength(10, MinimumLength = 1)] string? Method = null,
    [property: Required, StringLength(8192, MinimumLength = 1)] string? Url = null);

public sealed record ExplainedInjection(string EntryId, string Name, string Kind);

/// <summary>What the gateway would do with a call, without making it: <c>allow</c>, <c>block</c>, <c>manual_approval</c> or <c>rate_limit</c>.</summary>
public sealed record ExplainView(string Decision, RuleView? Rule, string? Reason, IReadOnlyList<ExplainedInjection> Injected, bool WouldCount);

public sealed record ApprovalView(
    string Id, ActorRef Agent, string Method, string Url, string Host, string Path, string? BodyPreview, string? RuleId, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public sealed record ApprovalList(IReadOnlyList<ApprovalView> Data);

public sealed record ApprovalDecisionRequest(
    [property: Required, AllowedValues("approve", "deny")] string? Decision = null,
    bool? Remember = null);

public sealed record CreateSiteRequest(
    [property: Required, StringLength(2048, MinimumLength = 1)] string? Url = null,
    [property: StringLength(8192, MinimumLength = 1)] string? Token = null,
    bool? PresentIdentity = null);

/// <summary>One tool a site publishes: its name, what it does, and the JSON Schema of its arguments.</summary>
public sealed record SiteTool(string Name, string Description, System.Text.Json.JsonElement InputSchema);

public sealed record SiteView(
    string Id, string Url, string ManifestUrl, string Name, string Version, string ServerUrl, string AuthType, bool PresentIdentity, string? TokenEntryId,
    DateTimeOffset CreatedAt, DateTimeOffset RefreshedAt);

/// <summary>A site with its tools, as made, refreshed or read.</summary>
public sealed record SiteWithTools(SiteView Site, IReadOnlyList<SiteTool> Tools);

public sealed record SiteList(IReadOnlyList<SiteWithTools> Data);

public sealed record ToolCallRequest(System.Text.Json.JsonElement? Arguments = null);

/// <summary>The tool's JSON answer.</summary>
public sealed record ToolCallResult(System.Text.Json.JsonElement Result, string LogId);

public sealed record IdentityVerifyRequest(
    [property: Required] string? Token = null,
    [property: Required, StringLength(253, MinimumLength = 1)] string? Audience = null);

/// <summary>Whether an identity token (<c>Parley-Agent-Identity</c>) is genuine and for this audience: the agent and its owner's workspace, or why not.</summary>
public sealed record IdentityVerifyResult(bool Valid, Identity.ActorRef? Agent, string? Owner, string? Reason);
