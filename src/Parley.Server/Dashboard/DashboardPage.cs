using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Parley.Client;
using Parley.Contracts.Identity;
using Parley.Server.Identity.Owners;

namespace Parley.Server.Dashboard;

/// <summary>
/// The base of every signed-in page: the browser's session becomes an SDK client acting as the owner, in the
/// workspace chosen with <c>?ws=</c> (else the first), or the page sends the browser to sign in. Actions follow
/// post-redirect-get: their outcome is a one-line notice on the page they return to; a catalog error is shown as its
/// code and message.
/// </summary>
public abstract class DashboardPage : PageModel
{
    private const string NoticeKey = "notice";
    private const string ErrorKey = "error";

    /// <summary>The API, as the signed-in owner.</summary>
    internal ParleyClient Api { get; private set; } = null!;

    public MeResponse Me { get; private set; } = null!;

    public WorkspaceWithRole Workspace { get; private set; } = null!;

    public string WorkspaceId => Workspace.Id;

    /// <summary>Whether the signed-in person may change the workspace (admin or owner).</summary>
    public bool CanAdminister => Workspace.Role is "admin" or "owner";

    [TempData(Key = NoticeKey)]
    public string? Notice { get; set; }

    [TempData(Key = ErrorKey)]
    public string? Error { get; set; }

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var services = HttpContext.RequestServices;
        var token = await services.GetRequiredService<BrowserSessions>()
            .AccessTokenAsync(Request.Cookies[DashboardCookies.Session], HttpContext.RequestAborted);
        if (token is null)
        {
            context.Result = Redirect("/signin?next=" + Uri.EscapeDataString(Request.Path + Request.QueryString));
            return;
        }
        Api = new ParleyClient(services.GetRequiredService<ApiAddress>().Value, token, new ParleyClientOptions { MaxRetries = 0 });
        HttpContext.Response.RegisterForDispose(Api);
        Me = await Api.GetMeAsync(HttpContext.RequestAborted);
        var wanted = Request.Query["ws"].ToString();
        Workspace = Me.Workspaces.FirstOrDefault(w => w.Id == wanted) ?? (Me.Workspaces.Count > 0 ? Me.Workspaces[0] : null)
            ?? throw new InvalidOperationException("An owner account always has a workspace.");
        await next();
    }

    /// <summary>Runs an action and returns to <paramref name="page"/> (this page by default) with its outcome.</summary>
    protected async Task<IActionResult> ActAsync(Func<Task<string>> action, string? page = null, object? routeValues = null)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            Notice = await action();
        }
        catch (ParleyApiException e)
        {
            Error = Describe(e);
        }
        return RedirectToPage(page ?? "", routeValues ?? new { ws = WorkspaceId });
    }

    /// <summary>A catalog error as a person reads it: code and message, and for <c>VALIDATION_ERROR</c> what is wrong with which field.</summary>
    internal static string Describe(ParleyApiException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Fields is not { ValueKind: System.Text.Json.JsonValueKind.Object } fields)
        {
            return e.Message;
        }
        var problems = fields.EnumerateObject().Select(f => $"{f.Name}: {string.Join("; ", f.Value.EnumerateArray().Select(m => m.GetString()))}");
        return e.Message + " " + string.Join(" · ", problems);
    }

    /// <summary>A link to a page of the dashboard in the current workspace.</summary>
    public string Link(string path) => path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "ws=" + Uri.EscapeDataString(WorkspaceId);
}
