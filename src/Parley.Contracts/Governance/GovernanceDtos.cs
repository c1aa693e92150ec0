using System.ComponentModel.DataAnnotations;

namespace Parley.Contracts.Governance;

/// <summary>The meters of governance.md, as the wire names them.</summary>
public static class Meters
{
    /// <summary>Governed outbound calls and site tool calls (monthly).</summary>
    public const string GovernedCalls = "governed_calls";
    /// <summary>Agent runs started (monthly).</summary>
    public const string Runs = "runs";
    /// <summary>Stored direct, group and room messages (monthly).</summary>
    public const string Messages = "messages";
    /// <summary>Input plus output tokens of model calls (monthly).</summary>
    public const string ModelTokens = "model_tokens";

    /// <summary>A gauge: what the workspace stores now, never reset.</summary>
    public const string StorageBytes = "storage_bytes";

    /// <summary>The meters counted per calendar month (UTC).</summary>
    public static readonly IReadOnlyList<string> Monthly = [GovernedCalls, Runs, Messages, ModelTokens];
}

/// <summary>The features a plan may include (<c>Plans:&lt;name&gt;:Features</c>).</summary>
public static class PlanFeatures
{
    /// <summary>Rooms with members from other owners' workspaces (inviting another owner's agent).</summary>
    public const string CrossOwnerRooms = "cross_owner_rooms";
    /// <summary>Workspaces with more than one member.</summary>
    public const string TeamWorkspaces = "team_workspaces";
    /// <summary>The gateway's HTTP(S) forward proxy.</summary>
    public const string GatewayProxy = "gateway_proxy";
    /// <summary>Model sessions (<c>/v1/sessions</c>).</summary>
    public const string ModelSessions = "model_sessions";
}

/// <summary>The sources of credit ledger entries.</summary>
public static class CreditSources
{
    /// <summary>Credits an instance admin granted.</summary>
    public const string Grant = "grant";
    /// <summary>The plan's monthly credits, expiring at the month's end.</summary>
    public const string Monthly = "monthly";
    /// <summary>Credits spent (or reserved) by a priced action.</summary>
    public const string Usage = "usage";
    /// <summary>Credits given back: the unused part of a reservation, or a failed action's spend.</summary>
    public const string Refund = "refund";
    /// <summary>An admin's negative adjustment, or credits written off when they expired.</summary>
    public const string Adjustment = "adjustment";
}

/// <summary>A plan's limits; <c>null</c> is unlimited. <c>monthly_messages</c> is Parley's addition to the spec's list.</summary>
/// <param name="MaxAgents">Agents a workspace may have at once.</param>
/// <param name="MaxRooms">Rooms a workspace may own, whatever their status.</param>
/// <param name="MaxVaultEntries">Vault entries a workspace may have.</param>
/// <param name="MaxSites">Gateway sites a workspace may have.</param>
/// <param name="MaxDevices">Active paired devices a workspace may have.</param>
/// <param name="MonthlyGovernedCalls">Governed calls a month (UTC calendar month).</param>
/// <param name="MonthlyRuns">Agent runs a month.</param>
/// <param name="MonthlyModelTokens">Model tokens (input plus output) a month.</param>
/// <param name="MonthlyMessages">Messages (direct, group and room) a month.</param>
/// <param name="MonthlyCredits">Credits given at each month's start, expiring at its end; null gives none.</param>
public sealed record PlanLimits(
    int? MaxAgents, int? MaxRooms, int? MaxVaultEntries, int? MaxSites, int? MaxDevices,
    long? MonthlyGovernedCalls, long? MonthlyRuns, long? MonthlyModelTokens, long? MonthlyMessages, decimal? MonthlyCredits);

/// <summary>A plan, as <c>GET /v1/plans</c> lists it and inside <see cref="WorkspacePlanView"/>.</summary>
/// <param name="Name">The plan's name, e.g. <c>free</c>, <c>pro</c>, <c>team</c>, <c>self-hosted</c>, or one from configuration.</param>
/// <param name="Limits">Its caps and monthly quotas.</param>
/// <param name="Features">The features it includes (<see cref="PlanFeatures"/>); empty for none.</param>
public sealed record PlanView(string Name, PlanLimits Limits, IReadOnlyList<string> Features);

/// <summary>The answer of <c>GET /v1/plans</c>.</summary>
/// <param name="Data">Every plan: the built-in ones first, then configured ones by name.</param>
public sealed record PlanList(IReadOnlyList<PlanView> Data);

/// <summary>What a workspace has and has used, keyed like <see cref="PlanLimits"/> without its prefix.</summary>
/// <remarks><c>usage</c> in <see cref="WorkspacePlanView"/>: counts now for the caps, this month's counts for the quotas.</remarks>
/// <param name="Agents">Agents the workspace has.</param>
/// <param name="Rooms">Rooms it owns.</param>
/// <param name="VaultEntries">Vault entries it has.</param>
/// <param name="Sites">Gateway sites it has.</param>
/// <param name="Devices">Active devices it has.</param>
/// <param name="GovernedCalls">Governed calls this month.</param>
/// <param name="Runs">Runs this month.</param>
/// <param name="ModelTokens">Model tokens this month.</param>
/// <param name="Messages">Messages this month.</param>
/// <param name="CreditsBalance">The credit balance now, in credits (at most six decimals), expired credits left out.</param>
public sealed record PlanUsage(
    long Agents, long Rooms, long VaultEntries, long Sites, long Devices,
    long GovernedCalls, long Runs, long ModelTokens, long Messages, decimal CreditsBalance);

/// <summary>
/// The answer of <c>GET /v1/workspaces/{ws}/plan</c> and <c>PUT /v1/admin/workspaces/{ws}/plan</c>: the workspace's plan,
/// its limits and what it uses, side by side.
/// </summary>
/// <param name="WorkspaceId">The workspace (<c>ws_…</c>).</param>
/// <param name="Plan">Its plan.</param>
/// <param name="Usage">What it has and has used this month.</param>
/// <param name="PeriodStart">The start of this month (RFC 3339 UTC, the first day at 00:00).</param>
/// <param name="ResetsAt">When the monthly quotas reset: the start of next month (RFC 3339 UTC).</param>
public sealed record WorkspacePlanView(
    string WorkspaceId, PlanView Plan, PlanUsage Usage, DateTimeOffset PeriodStart, DateTimeOffset ResetsAt);

/// <summary>The body of <c>PUT /v1/admin/workspaces/{ws}/plan</c> (instance admins): put a workspace on a plan, at once.</summary>
/// <param name="Plan">The plan's name (1–64 characters), one of <c>GET /v1/plans</c>; required.</param>
public sealed record SetPlanRequest([property: Required, StringLength(64, MinimumLength = 1)] string? Plan = null);

/// <summary>One meter in <see cref="UsageView"/>: its count beside its limit.</summary>
/// <param name="Meter">The meter (<see cref="Meters"/>): <c>governed_calls</c>, <c>runs</c>, <c>messages</c>, <c>model_tokens</c> or <c>storage_bytes</c>.</param>
/// <param name="Count">This month's count; for <c>storage_bytes</c>, the bytes stored now.</param>
/// <param name="Limit">The plan's monthly quota (for <c>storage_bytes</c>, the storage quota <c>Limits:StorageWorkspaceBytes</c>); null for unlimited.</param>
public sealed record MeterUsage(string Meter, long Count, long? Limit);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/usage</c>: this month's meters with their quotas, and the storage gauge.</summary>
/// <param name="PeriodStart">The start of this month (RFC 3339 UTC).</param>
/// <param name="ResetsAt">The start of next month, when the monthly meters reset (RFC 3339 UTC).</param>
/// <param name="Meters">The monthly meters in the order of <see cref="Meters.Monthly"/>, then <c>storage_bytes</c>.</param>
public sealed record UsageView(DateTimeOffset PeriodStart, DateTimeOffset ResetsAt, IReadOnlyList<MeterUsage> Meters);

/// <summary>One day's count (an item of <see cref="DailyUsage"/>).</summary>
/// <param name="Date">The day, <c>yyyy-MM-dd</c> (UTC).</param>
/// <param name="Count">The meter's count that day (0 for a day without any).</param>
public sealed record DailyCount(string Date, long Count);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/usage/daily?meter&amp;days</c>: one meter's count per day, for charts.</summary>
/// <param name="Meter">The meter asked for: <c>governed_calls</c>, <c>runs</c>, <c>messages</c> or <c>model_tokens</c>.</param>
/// <param name="Data">One item per day, oldest first, up to today (UTC): the last <c>days</c> days (1–366, default 30), zeros included.</param>
public sealed record DailyUsage(string Meter, IReadOnlyList<DailyCount> Data);

/// <summary>An admin's grant (positive) or adjustment (negative), in credits with at most six decimals.</summary>
/// <remarks>The body of <c>POST /v1/admin/workspaces/{ws}/credits</c> (instance admins); the answer is the ledger entry (201).</remarks>
/// <param name="Amount">
/// Required: credits, non-zero, at most 10^12 in magnitude, at most six decimals; positive grants, negative adjusts
/// down (never below a zero balance).
/// </param>
/// <param name="Reason">Why, kept on the ledger entry: required, 1–500 characters.</param>
/// <param name="ExpiresAt">When a grant's credits expire (RFC 3339, in the future); grants only; null never expires.</param>
public sealed record CreditGrantRequest(
    [property: Required] decimal? Amount = null, [property: Required, StringLength(500, MinimumLength = 1)] string? Reason = null,
    DateTimeOffset? ExpiresAt = null);

/// <summary>What is left of the credits of one source and expiry (an item of <c>by_source</c> in <see cref="CreditBalance"/>).</summary>
/// <param name="Source"><c>grant</c> or <c>monthly</c>.</param>
/// <param name="Amount">The credits left (at most six decimals).</param>
/// <param name="ExpiresAt">When they expire (RFC 3339 UTC); null for credits that never do.</param>
public sealed record CreditSourceAmount(string Source, decimal Amount, DateTimeOffset? ExpiresAt);

/// <summary>The answer of <c>GET /v1/workspaces/{ws}/credits</c>: the balance, by source and expiry.</summary>
/// <param name="Balance">The credits available now, expired ones left out (at most six decimals; never below 0).</param>
/// <param name="BySource">What makes it up, one item per source and expiry, soonest-expiring first (spent in that order).</param>
public sealed record CreditBalance(decimal Balance, IReadOnlyList<CreditSourceAmount> BySource);

/// <summary>
/// One entry of a workspace's append-only credit ledger, as <c>GET /v1/workspaces/{ws}/credits/ledger</c> lists it
/// (newest first) and <c>POST /v1/admin/workspaces/{ws}/credits</c> answers it.
/// </summary>
/// <param name="Id">The entry's id (<c>led_…</c>).</param>
/// <param name="Delta">The change in credits: positive for <c>grant</c>, <c>monthly</c> and <c>refund</c>, negative for <c>usage</c> and <c>adjustment</c> (at most six decimals).</param>
/// <param name="Source"><c>grant</c>, <c>monthly</c>, <c>usage</c>, <c>refund</c> or <c>adjustment</c> (<see cref="CreditSources"/>).</param>
/// <param name="Reason">An admin's reason for a grant or adjustment; <c>monthly allocation</c>, or <c>expired</c> for a write-off; null for usage and refunds.</param>
/// <param name="ExpiresAt">When the credits added expire (a grant's, a month's end), or when written-off credits expired (RFC 3339 UTC); else null.</param>
/// <param name="BalanceAfter">The balance right after this entry, in credits.</param>
/// <param name="Ref">
/// What the entry is about: for <c>usage</c>, the action that spent (a <c>glog_…</c>, <c>run_…</c> or <c>ses_…</c> id); for a
/// <c>refund</c>, the entry it returns credits of; for a credit or write-off, the credit lot's id; null for an admin's adjustment.
/// </param>
/// <param name="CreatedAt">When it was written (RFC 3339 UTC).</param>
public sealed record CreditEntry(
    string Id, decimal Delta, string Source, string? Reason, DateTimeOffset? ExpiresAt, decimal BalanceAfter, string? Ref, DateTimeOffset CreatedAt);
