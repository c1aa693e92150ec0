using Microsoft.AspNetCore.Mvc;
using Parley.Client;
using Parley.Contracts.Wake;

namespace Parley.Server.Dashboard.Pages;

/// <summary>One run: how it went, its output tail, and cancelling it.</summary>
public sealed class RunDetailsModel : DashboardPage
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public RunView? Run { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        try
        {
            Run = await Api.GetRunAsync(Id, HttpContext.RequestAborted);
        }
        catch (ParleyApiException e)
        {
            // What the owner may not see is answered exactly like what does not exist.
            Error = Describe(e);
            Response.StatusCode = (int)e.Status;
        }
        return Page();
    }

    public Task<IActionResult> OnPostCancelAsync() => ActAsync(async () =>
    {
        var run = await Api.CancelRunAsync(Id, HttpContext.RequestAborted);
        return $"Run {run.Id} is {run.Status}.";
    }, "/Runs/Details", new { id = Id, ws = WorkspaceId });
}
