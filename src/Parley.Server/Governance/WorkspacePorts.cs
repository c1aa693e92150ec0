namespace Parley.Server.Governance;

/// <summary>
/// What governance needs to know about workspaces, answered by the module that owns them (identity), so governance
/// calls no feature. Calls run on the caller's scope: inside a write, they read and write in its transaction.
/// </summary>
internal interface IWorkspaceDirectory
{
    /// <summary>The workspace's plan name, or null when there is no such workspace.</summary>
    Task<string?> PlanOfAsync(string workspaceId, CancellationToken ct);

    /// <summary>Puts the workspace on a plan; false when there is no such workspace.</summary>
    Task<bool> SetPlanAsync(string workspaceId, string plan, CancellationToken ct);

    /// <summary>The emails of the workspace's owner and admins (usage mail goes to them).</summary>
    Task<IReadOnlyList<string>> AdminEmailsAsync(string workspaceId, CancellationToken ct);

    /// <summary>The workspaces on any of these plans.</summary>
    Task<IReadOnlyList<string>> OnPlansAsync(IReadOnlyCollection<string> plans, CancellationToken ct);
}

/// <summary>
/// How many of something a workspace has now (agents, rooms, stored bytes…), told by the module that keeps them, for
/// the plan page. Named like the plan's limits without their prefix (<c>agents</c> for <c>max_agents</c>).
/// </summary>
internal interface IWorkspaceCount
{
    string Name { get; }

    Task<long> CountAsync(string workspaceId, CancellationToken ct);
}
