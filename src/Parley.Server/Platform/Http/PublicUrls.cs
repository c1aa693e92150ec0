using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Parley.Server.Platform.Http;

/// <summary>
/// The base of links the server hands out (signed upload URLs, problem types): <c>PublicBaseUrl</c>, or the first
/// address the server listens on. Never the request's <c>Host</c> header, which a client controls.
/// </summary>
internal static class PublicUrls
{
    public static string Base(HttpContext context, ParleyOptions options) => Base(context.RequestServices.GetRequiredService<IServer>(), options);

    /// <summary>The same, where there is no request (a background push).</summary>
    public static string Base(IServer server, ParleyOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PublicBaseUrl))
        {
            return options.PublicBaseUrl.TrimEnd('/');
        }
        var addresses = server.Features.Get<IServerAddressesFeature>();
        var first = addresses?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:8080";
        return first.TrimEnd('/');
    }
}
