using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Parley.Server.Identity.Owners;

namespace Parley.Server.Dashboard.Pages;

/// <summary>Ends the browser's session (on the server, so the cookie is worthless even if kept) and forgets the cookie.</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.RequestServices.GetRequiredService<BrowserSessions>().SignOutAsync(Request.Cookies[DashboardCookies.Session], HttpContext.RequestAborted);
        Response.Cookies.Delete(DashboardCookies.Session, DashboardCookies.For(Request));
        return Redirect("/signin");
    }
}
