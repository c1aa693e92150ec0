using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Parley.Server.Identity.Owners;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Dashboard.Pages;

/// <summary>Email and password open an owner session kept in the session cookie; <c>next</c> is where to go after.</summary>
public sealed class SignInModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Next { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Failed { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        try
        {
            var refreshToken = await HttpContext.RequestServices.GetRequiredService<BrowserSessions>().SignInAsync(Email, Password, HttpContext.RequestAborted);
            Response.Cookies.Append(DashboardCookies.Session, refreshToken, DashboardCookies.For(Request, DateTimeOffset.UtcNow.AddDays(30)));
            return LocalRedirect(SafeNext());
        }
        catch (ApiException e)
        {
            Failed = e.Message;
            Password = null;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
    }

    /// <summary>Only a path of this site (never <c>//elsewhere</c> or an absolute URL).</summary>
    private string SafeNext() => Next is { Length: > 0 } next && Url.IsLocalUrl(next) ? next : "/";
}
