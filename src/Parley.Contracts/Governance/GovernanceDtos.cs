using System.ComponentModel.DataAnnotations;

namespace Parley.Contracts.Governance;

/// <summary>The meters of governance.md, as the wire names them.</summary>
public static class Meters
{
    public const string GovernedCalls = "governed_calls";
    public const string Runs = "runs";
    public const string Messages = "messages";
    public const string ModelTokens = "model_tokens";

    /// <summary>A gauge: what the workspace stores now, never reset.</summary>
    public const string StorageBytes = "storage_bytes";

    /// <summary>The meters counted per calendar month (UTC).</summary>
    public static readonly IReadOnlyList<string> Monthly = [GovernedCalls, Runs, Messages, ModelTokens];
}

/// <summary>The features a plan may include (<c>Plans:&lt;name&gt;:Features</c>).</summary>
public static class PlanFeatures
{
    public const string CrossOwnerRooms = "cross_owner_rooms";
    public const string TeamWorkspaces = "team_workspaces";
    public const string GatewayProxy = "gateway_proxy";
    public const string ModelSessions = "model_sessions";
}

/// <summary>The sources of credit ledger entries.</summary>
public static class CreditSources
{
    public const string Grant = "grant";
    public const string Monthly = "monthly";
    public const string Usage = "usage";
    public const string Refund = "refund";
    public const string Adjustment = "adjustment";
}

/// <summary>A plan's limits; <c>null</c> is unlimited. <c>monthly_messages</c> is Parley's addition to the spec's list.</summary>
public sealed record PlanLimits(
    int? MaxAgents, int? MaxRooms, int? MaxVaultEntries, int? MaxSites, int? MaxDevices,
    long? MonthlyGovernedCalls, long? MonthlyRuns, long? MonthlyModelTokens, long? MonthlyMessages, decimal? MonthlyCredits);

public sealed record PlanView(string Name, PlanLimits Limits, IReadOnlyList<string> Features);

public sealed record PlanList(IReadOnlyList<PlanView> Data);

/// <summary>What a workspace has and has used, keyed like <see cref="PlanLimits"/> without its prefix.</summary>
public sealed record PlanUsage(
    long Agents, long Rooms, long VaultEntries, long Sites, long Devices,
    long GovernedCalls, long Runs, long ModelTokens, long Messages, decimal CreditsBalance);

public sealed record WorkspacePlanView(
    string WorkspaceId, PlanView Plan, PlanUsage Usage, DateTimeOffset PeriodStart, DateTimeOffset ResetsAt);

public sealed record SetPlanRequest([property: Required, StringLength(64, MinimumLength = 1)] string? Plan = null);

public sealed record MeterUsage(string Meter, long Count, long? Limit);

public sealed record UsageView(DateTimeOffset PeriodStart, DateTimeOffset ResetsAt, IReadOnlyList<MeterUsage> Meters);

public sealed record DailyCount(string Date, long Count);

public sealed record DailyUsage(string Meter, IReadOnlyList<DailyCount> Data);

/// <summary>An admin's grant (positive) or adjustment (negative), in credits with at most six decimals.</summary>
public sealed record CreditGrantRequest(
    [property: Required] decimal? Amount = null, [property: Required, StringLength(500, MinimumLength = 1)] string? Reason = null,
    DateTimeOffset? ExpiresAt = null);

public sealed record CreditSourceAmount(string Source, decimal Amount, DateTimeOffset? ExpiresAt);

public sealed record CreditBalance(decimal Balance, IReadOnlyList<CreditSourceAmount> BySource);

public sealed record CreditEntry(
    string Id, decimal Delta, string Source, string? Reason, DateTimeOffset? ExpiresAt, decimal BalanceAfter, string? Ref, DateTimeOffset CreatedAt);
