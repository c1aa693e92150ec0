using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Parley.Server.Platform.Security;

namespace Parley.Server.Dashboard;

/// <summary>
/// The owner dashboard (surfaces.md): server-rendered Razor Pages at <c>/</c> for signed-in owners. A page holds no
/// rule: it calls the API with the SDK as the signed-in owner (an access token minted per request for the browser's
/// session), so roles, terms, quotas and every error are the API's own. Sign-in is an ordinary owner session kept in
/// an HttpOnly, <c>SameSite=Strict</c> cookie; every form carries an antiforgery token; every page is sent with a
/// strict Content-Security-Policy (no inline script) and framing refused. Live updates come from the owner event
/// stream, relayed to the browser by <c>/dashboard/events</c>.
/// </summary>
internal static class DashboardModule
{
    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        // The pages are compiled into this assembly, which is not the entry assembly when tests host the server.
        builder.Services.AddRazorPages(options => options.RootDirectory = "/Dashboard/Pages")
            .AddApplicationPart(typeof(DashboardModule).Assembly);
        builder.Services.AddParleyDataProtection();
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = DashboardCookies.Antiforgery;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.FormFieldName = "__csrf";
            options.HeaderName = "X-CSRF-Token";
        });
        builder.Services.AddSingleton<ApiAddress>();
        return builder;
    }

    /// <summary>Security headers on every page and the dashboard's static files (the API keeps its own).</summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (!DashboardPaths.IsApi(context.Request.Path))
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                    + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XContentTypeOptions = "nosniff";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
            }
            return next(context);
        });
        app.UseStaticFiles();
        return app;
    }

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapDashboardEvents();
        return app;
    }
}

/// <summary>The dashboard's cookies.</summary>
internal static class DashboardCookies
{
    /// <summary>The browser's owner session (its refresh token, never rotated).</summary>
    public const string Session = "parley_session";

    public const string Antiforgery = "parley_csrf";

    public static CookieOptions For(HttpRequest request, DateTimeOffset? expires = null) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}

internal static class DashboardPaths
{
    /// <summary>Paths that belong to the API and machine surfaces, not to the dashboard.</summary>
    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/mcp") || path.StartsWithSegments("/openapi")
        || path.StartsWithSegments("/.well-known") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz")
        || path.StartsWithSegments("/_test");
}

/// <summary>
/// Where this node's own API answers, for the dashboard's SDK calls: its first listening address (plain HTTP
/// preferred), with a wildcard host read as loopback.
/// </summary>
internal sealed class ApiAddress(IServer server)
{
    private Uri? _address;

    public Uri Value => _address ??= Find();

    private Uri Find()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var chosen = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
            ?? "http://127.0.0.1:8080";
        var builder = new UriBuilder(chosen.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal));
        if (builder.Host is "0.0.0.0" or "[::]" or "::")
        {
            builder.Host = "127.0.0.1";
        }
        builder.Path = "/";
        return builder.Uri;
    }
}
