using System.Globalization;
using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Governance.Plans;

/// <summary>A plan: its caps, its monthly quotas and credits (null = unlimited / none), and its features.</summary>
internal sealed record Plan(
    string Name,
    int? MaxAgents = null,
    int? MaxRooms = null,
    int? MaxVaultEntries = null,
    int? MaxSites = null,
    int? MaxDevices = null,
    long? MonthlyGovernedCalls = null,
    long? MonthlyRuns = null,
    long? MonthlyModelTokens = null,
    long? MonthlyMessages = null,
    decimal? MonthlyCredits = null,
    IReadOnlyList<string>? Features = null)
{
    public IReadOnlyList<string> FeatureList => Features ?? [];

    public bool Has(string feature) => FeatureList.Contains(feature, StringComparer.Ordinal);

    /// <summary>The monthly quota of a meter; null when unlimited.</summary>
    public long? QuotaOf(string meter) => meter switch
    {
        Meters.GovernedCalls => MonthlyGovernedCalls,
        Meters.Runs => MonthlyRuns,
        Meters.ModelTokens => MonthlyModelTokens,
        Meters.Messages => MonthlyMessages,
        _ => throw new ArgumentOutOfRangeException(nameof(meter), meter, "Not a monthly meter."),
    };

    public PlanView ToView() => new(Name,
        new PlanLimits(MaxAgents, MaxRooms, MaxVaultEntries, MaxSites, MaxDevices, MonthlyGovernedCalls, MonthlyRuns, MonthlyModelTokens,
            MonthlyMessages, MonthlyCredits),
        FeatureList);
}

/// <summary>
/// Plans come from configuration (<c>Plans:&lt;name&gt;:&lt;Key&gt;</c>) on top of the built-in ones; <c>Plans:Default</c>
/// names the plan of new workspaces. Modules ask these checks; none re-implements them. Counting what a workspace has,
/// exactly under concurrency, is the caller's job (inside a write transaction holding the workspace's lock).
/// </summary>
internal sealed class PlanCatalog
{
    private readonly IConfiguration _configuration;
    private IReadOnlyList<Plan>? _plans;

    public PlanCatalog(IConfiguration configuration)
    {
        _configuration = configuration;
        // Read once, again when the configuration reloads: every send asks for its workspace's plan.
        Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () => _plans = null);
    }

    private static readonly string[] AllFeatures =
        [PlanFeatures.CrossOwnerRooms, PlanFeatures.TeamWorkspaces, PlanFeatures.GatewayProxy, PlanFeatures.ModelSessions];

    /// <summary>The built-in plans, cheapest first (the order <c>required_plan</c> is chosen in). docs/governance.md lists them.</summary>
    public static readonly IReadOnlyList<Plan> BuiltIn =
    [
        new("free", MaxAgents: 3, MaxRooms: 3, MaxVaultEntries: 10, MaxSites: 3, MaxDevices: 2, MonthlyGovernedCalls: 1_000,
            MonthlyRuns: 100, MonthlyModelTokens: 100_000, Features: []),
        new("pro", MaxAgents: 25, MaxRooms: 50, MaxVaultEntries: 100, MaxSites: 20, MaxDevices: 10, MonthlyGovernedCalls: 50_000,
            MonthlyRuns: 2_000, MonthlyModelTokens: 5_000_000, Features: [PlanFeatures.CrossOwnerRooms, PlanFeatures.GatewayProxy, PlanFeatures.ModelSessions]),
        new("team", MaxAgents: 100, MaxRooms: 500, MaxVaultEntries: 1_000, MaxSites: 100, MaxDevices: 50, MonthlyGovernedCalls: 500_000,
            MonthlyRuns: 20_000, MonthlyModelTokens: 50_000_000, Features: AllFeatures),
        new("self-hosted", Features: AllFeatures),
    ];

    public string DefaultPlanName => _configuration["Plans:Default"] is { Length: > 0 } name ? name : "self-hosted";

    /// <summary>Every plan: the built-in ones (as configured) first, then the configured ones by name.</summary>
    public IReadOnlyList<Plan> All() => _plans ??= Load();

    private List<Plan> Load()
    {
        var plans = new List<Plan>(BuiltIn);
        foreach (var section in _configuration.GetSection("Plans").GetChildren().Where(s => s.Key != "Default"))
        {
            var index = plans.FindIndex(p => p.Name == section.Key);
            var plan = Read(section, index >= 0 ? plans[index] : new Plan(section.Key, Features: []));
            if (index >= 0)
            {
                plans[index] = plan;
            }
            else
            {
                plans.Add(plan);
            }
        }
        return plans;
    }

    public Plan? Find(string name) => All().FirstOrDefault(p => p.Name == name);

    /// <summary>Whether any plan has a quota on this meter (when none has, no workspace's plan needs reading to meter it).</summary>
    public bool AnyQuotaOn(string meter) => All().Any(p => p.QuotaOf(meter) is not null);

    public Plan Get(string name) => Find(name) ?? All().First(p => p.Name == DefaultPlanName);

    /// <summary><c>FEATURE_LIMIT_REACHED</c> when one more would exceed the plan's count.</summary>
    public static void EnsureBelowLimit(string feature, int? limit, long count)
    {
        if (limit is { } max && count >= max)
        {
            throw new ApiException(ErrorCodes.FeatureLimitReached, $"The workspace's plan allows at most {max} {feature}.",
                ApiErrors.Details(("feature", feature), ("limit", max), ("count", count)));
        }
    }

    /// <summary><c>WORKSPACE_REQUIRED</c> when the plan has no team workspaces.</summary>
    public static void EnsureTeamWorkspaces(Plan plan)
    {
        if (!plan.Has(PlanFeatures.TeamWorkspaces))
        {
            throw new ApiException(ErrorCodes.WorkspaceRequired, "Inviting members needs a plan with team workspaces.");
        }
    }

    /// <summary><c>UPGRADE_REQUIRED {feature, required_plan}</c> naming the first plan (cheapest) that has the feature.</summary>
    public void EnsureFeature(Plan plan, string feature)
    {
        if (!plan.Has(feature))
        {
            var required = All().FirstOrDefault(p => p.Has(feature))?.Name ?? "self-hosted";
            throw new ApiException(ErrorCodes.UpgradeRequired, $"This needs a plan with {feature.Replace('_', ' ')}.",
                ApiErrors.Details(("feature", feature), ("required_plan", required)));
        }
    }

    private static Plan Read(IConfigurationSection section, Plan baseline)
    {
        var features = ReadFeatures(section) ?? [.. baseline.FeatureList];
        // The older boolean keys (conventions.md) switch one feature each.
        Switch(features, PlanFeatures.TeamWorkspaces, section.GetValue<bool?>("TeamWorkspaces"));
        Switch(features, PlanFeatures.CrossOwnerRooms, section.GetValue<bool?>("CrossOwnerRooms"));
        return baseline with
        {
            MaxAgents = ReadInt(section, "MaxAgents", baseline.MaxAgents),
            MaxRooms = ReadInt(section, "MaxRooms", baseline.MaxRooms),
            MaxVaultEntries = ReadInt(section, "MaxVaultEntries", baseline.MaxVaultEntries),
            MaxSites = ReadInt(section, "MaxSites", baseline.MaxSites),
            MaxDevices = ReadInt(section, "MaxDevices", baseline.MaxDevices),
            MonthlyGovernedCalls = ReadLong(section, "MonthlyGovernedCalls", baseline.MonthlyGovernedCalls),
            MonthlyRuns = ReadLong(section, "MonthlyRuns", baseline.MonthlyRuns),
            MonthlyModelTokens = ReadLong(section, "MonthlyModelTokens", baseline.MonthlyModelTokens),
            MonthlyMessages = ReadLong(section, "MonthlyMessages", baseline.MonthlyMessages),
            MonthlyCredits = section["MonthlyCredits"] is { Length: > 0 } credits
                ? Credits.CreditAmount.Parse(credits, $"Plans:{section.Key}:MonthlyCredits") is var amount && amount > 0 ? amount : null
                : baseline.MonthlyCredits,
            Features = features,
        };
    }

    /// <summary><c>Features</c> as a list (<c>Features:0</c>, <c>Features:1</c>…) or one comma-separated value.</summary>
    private static List<string>? ReadFeatures(IConfigurationSection section)
    {
        var node = section.GetSection("Features");
        if (node.Value is { } text)
        {
            return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];
        }
        var items = node.GetChildren().Select(c => c.Value?.Trim()).OfType<string>().Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return items.Count > 0 ? items : null;
    }

    private static void Switch(List<string> features, string feature, bool? on)
    {
        if (on == true && !features.Contains(feature))
        {
            features.Add(feature);
        }
        else if (on == false)
        {
            features.Remove(feature);
        }
    }

    /// <summary>A configured count; a negative one means unlimited; a missing one keeps the baseline.</summary>
    private static int? ReadInt(IConfigurationSection section, string key, int? baseline) =>
        ReadLong(section, key, baseline) is { } value ? (int)Math.Min(value, int.MaxValue) : null;

    private static long? ReadLong(IConfigurationSection section, string key, long? baseline)
    {
        if (section[key] is not { Length: > 0 } raw)
        {
            return baseline;
        }
        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            throw new Platform.ConfigurationException($"Plans:{section.Key}:{key} must be a whole number (negative = unlimited), not '{raw}'.");
        }
        return value < 0 ? null : value;
    }
}
