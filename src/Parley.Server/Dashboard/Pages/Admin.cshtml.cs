using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Parley.Contracts.Governance;
using Parley.Contracts.Identity;

namespace Parley.Server.Dashboard.Pages;

/// <summary>For instance admins: the plans and a workspace's plan, credit grants, and agents' suspension.</summary>
public sealed class AdminModel : DashboardPage
{
    public IReadOnlyList<PlanView> Plans { get; private set; } = [];
    public IReadOnlyList<AgentView> Agents { get; private set; } = [];

    public async Task OnGetAsync()
    {
        if (!Me.Account.IsAdmin)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        Plans = (await Api.ListPlansAsync(HttpContext.RequestAborted)).Data;
        Agents = (await Api.ListAllAgentsAsync(limit: 100, cancellationToken: HttpContext.RequestAborted)).Data;
    }

    public Task<IActionResult> OnPostPlanAsync(string workspace, string plan) => ActAsync(async () =>
    {
        var set = await Api.SetWorkspacePlanAsync(workspace, plan, HttpContext.RequestAborted);
        return $"{set.WorkspaceId} is on {set.Plan.Name}.";
    });

    public Task<IActionResult> OnPostGrantAsync(string workspace, string amount, string reason) => ActAsync(async () =>
    {
        if (!decimal.TryParse(amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var credits))
        {
            return "The amount is not a number.";
        }
        var entry = await Api.GrantCreditsAsync(workspace, credits, reason, cancellationToken: HttpContext.RequestAborted);
        return $"Granted {entry.Delta:0.######}; the balance is {entry.BalanceAfter:0.######}.";
    });

    public Task<IActionResult> OnPostStatusAsync(string agent, string action, string? reason) => ActAsync(async () =>
    {
        var changed = action switch
        {
            "suspend" => await Api.SuspendAgentAsync(agent, reason, HttpContext.RequestAborted),
            "restrict" => await Api.RestrictAgentAsync(agent, reason, HttpContext.RequestAborted),
            _ => await Api.ReinstateAgentAsync(agent, reason, HttpContext.RequestAborted),
        };
        return $"@{changed.Handle} is {changed.Status}.";
    });
}
