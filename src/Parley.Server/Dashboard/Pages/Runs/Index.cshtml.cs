using Microsoft.AspNetCore.Mvc;
using Parley.Contracts.Identity;
using Parley.Contracts.Wake;

namespace Parley.Server.Dashboard.Pages;

/// <summary>Runs, newest first, filtered by agent, status and reason; a run started by hand.</summary>
public sealed class RunsModel : DashboardPage
{
    public static readonly string[] Statuses = ["queued", "dispatched", "running", "cancelling", "succeeded", "failed", "cancelled", "timed_out", "expired", "skipped"];
    public static readonly string[] Reasons = ["mention", "task_assigned", "direct_message", "manual", "webhook", "schedule"];

    [BindProperty(SupportsGet = true)]
    public string? Agent { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Reason { get; set; }

    public IReadOnlyList<RunView> Runs { get; private set; } = [];
    public IReadOnlyList<AgentView> Agents { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Agents = (await Api.ListAgentsAsync(WorkspaceId, 100, cancellationToken: ct)).Data;
        Runs = (await Api.ListRunsAsync(WorkspaceId, Blank(Agent), Blank(Status), Blank(Reason), 100, cancellationToken: ct)).Data;
    }

    public Task<IActionResult> OnPostStartAsync(string agent) => ActAsync(async () =>
    {
        var run = await Api.StartRunAsync(agent, cancellationToken: HttpContext.RequestAborted);
        return $"Run {run.Id} is {run.Status}.";
    });

    public string AgentName(string agentId) => Agents.FirstOrDefault(a => a.Id == agentId) is { } agent ? "@" + agent.Handle : agentId;

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
