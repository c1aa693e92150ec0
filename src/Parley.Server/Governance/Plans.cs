using Parley.Contracts.Errors;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Governance;

/// <summary>A plan's limits. Null counts are unlimited.</summary>
internal sealed record Plan(string Name, int? MaxAgents, int? MaxRooms, bool TeamWorkspaces, bool CrossOwnerRooms);

/// <summary>
/// Plans come from configuration (<c>Plans:&lt;name&gt;:MaxAgents|MaxRooms|TeamWorkspaces|CrossOwnerRooms</c>) on top of
/// the built-in ones; <c>Plans:Default</c> names the plan of new workspaces. Modules ask these checks; none
/// re-implements them. Counting what a workspace has, exactly under concurrency, is the caller's job (inside a
/// write transaction holding the workspace's lock).
/// </summary>
internal sealed class PlanCatalog(IConfiguration configuration)
{
    /// <summary>The built-in plans, cheapest first (the order <c>required_plan</c> is chosen in).</summary>
    public static readonly IReadOnlyList<Plan> BuiltIn =
    [
        new("free", MaxAgents: 3, MaxRooms: 3, TeamWorkspaces: false, CrossOwnerRooms: false),
        new("pro", MaxAgents: 25, MaxRooms: 50, TeamWorkspaces: false, CrossOwnerRooms: true),
        new("team", MaxAgents: 100, MaxRooms: 500, TeamWorkspaces: true, CrossOwnerRooms: true),
        new("self-hosted", MaxAgents: null, MaxRooms: null, TeamWorkspaces: true, CrossOwnerRooms: true),
    ];

    public string DefaultPlanName => configuration["Plans:Default"] is { Length: > 0 } name ? name : "self-hosted";

    public IReadOnlyList<Plan> All()
    {
        var plans = BuiltIn.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var section in configuration.GetSection("Plans").GetChildren().Where(s => s.Key != "Default"))
        {
            plans.TryGetValue(section.Key, out var baseline);
            plans[section.Key] = new Plan(
                section.Key,
                MaxAgents: ReadCount(section, "MaxAgents", baseline?.MaxAgents),
                MaxRooms: ReadCount(section, "MaxRooms", baseline?.MaxRooms),
                TeamWorkspaces: section.GetValue<bool?>("TeamWorkspaces") ?? baseline?.TeamWorkspaces ?? false,
                CrossOwnerRooms: section.GetValue<bool?>("CrossOwnerRooms") ?? baseline?.CrossOwnerRooms ?? false);
        }
        return [.. plans.Values];
    }

    public Plan Get(string name) =>
        All().FirstOrDefault(p => p.Name == name) ?? All().First(p => p.Name == DefaultPlanName);

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
        if (!plan.TeamWorkspaces)
        {
            throw new ApiException(ErrorCodes.WorkspaceRequired, "Inviting members needs a plan with team workspaces.");
        }
    }

    /// <summary><c>UPGRADE_REQUIRED</c> naming the cheapest plan that allows cross-owner rooms.</summary>
    public void EnsureCrossOwnerRooms(Plan plan)
    {
        if (!plan.CrossOwnerRooms)
        {
            var required = All().FirstOrDefault(p => p.CrossOwnerRooms)?.Name ?? "self-hosted";
            throw new ApiException(ErrorCodes.UpgradeRequired, "Cross-owner rooms need a higher plan.",
                ApiErrors.Details(("feature", "cross_owner_rooms"), ("required_plan", required)));
        }
    }

    /// <summary>A configured count; a negative one means unlimited; a missing one keeps the baseline.</summary>
    private static int? ReadCount(IConfigurationSection section, string key, int? baseline) =>
        section[key] is { Length: > 0 } raw && int.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? (value < 0 ? null : value)
            : baseline;
}
