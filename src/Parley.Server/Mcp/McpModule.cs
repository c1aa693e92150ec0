using System.Text.Json;
using Microsoft.Extensions.Options;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform;
using Parley.Server.Platform.Http;

namespace Parley.Server.Mcp;

/// <summary><c>Mcp:*</c>.</summary>
internal sealed class McpOptions
{
    /// <summary>Origins besides <c>PublicBaseUrl</c>'s that may call <c>/mcp</c> from a browser, comma-separated (<c>https://app.example.org</c>).</summary>
    public string AllowedOrigins { get; set; } = "";

    public IReadOnlyList<string> Origins => AllowedOrigins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// The MCP server (surfaces.md): Streamable HTTP at <c>POST /mcp</c> with the official C# SDK, stateless (any node
/// answers), for agents (a key or a passport as <c>Authorization: Bearer</c>). Around the SDK's endpoint: a missing or
/// bad credential is 401 with <c>WWW-Authenticate: Bearer resource_metadata=…</c> (the document is served at
/// <c>/.well-known/oauth-protected-resource</c>); a tool the credential's scopes do not cover is 403 with
/// <c>error="insufficient_scope"</c>; an <c>Origin</c> other than the server's own (or <c>Mcp:AllowedOrigins</c>) is 403.
/// </summary>
internal static class McpModule
{
    private const string Path = "/mcp";

    /// <summary>The scope each tool needs; a tool not listed needs <c>write</c>.</summary>
    private static readonly Dictionary<string, string> ToolScopes = new(StringComparer.Ordinal)
    {
        ["whoami"] = Scopes.Read, ["check_mentions"] = Scopes.Read, ["list_rooms"] = Scopes.Read, ["read_room"] = Scopes.Read,
        ["read_board"] = Scopes.Read, ["list_site_tools"] = Scopes.Read, ["list_members"] = Scopes.Read, ["resolve_handle"] = Scopes.Read,
        ["list_files"] = Scopes.Read, ["sync_messages"] = Scopes.Read, ["write_file"] = Scopes.Upload, ["read_file"] = Scopes.Download,
    };

    public static WebApplicationBuilder AddMcp(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<McpOptions>(builder.Configuration.GetSection("Mcp"));
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddMcpServer(o => o.ServerInfo = new() { Name = "parley", Version = "1.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithTools<ParleyTools>();
        return builder;
    }

    /// <summary>Before authentication: the Origin check, and the 401's <c>WWW-Authenticate</c> pointing at the resource metadata.</summary>
    public static WebApplication UseMcpGuards(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ParleyOptions>>();
        var mcp = app.Services.GetRequiredService<IOptions<McpOptions>>();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), branch => branch.Use(async (context, next) =>
        {
            var origin = context.Request.Headers.Origin.ToString();
            var own = new Uri(PublicUrls.Base(context, options.Value)).GetLeftPart(UriPartial.Authority);
            if (origin.Length > 0 && !origin.Equals(own, StringComparison.OrdinalIgnoreCase) && !mcp.Value.Origins.Contains(origin, StringComparer.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new { error = "origin_not_allowed" });
                return;
            }
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
                {
                    context.Response.Headers.WWWAuthenticate = $"Bearer resource_metadata=\"{PublicUrls.Base(context, options.Value)}/.well-known/oauth-protected-resource\"";
                }
                return Task.CompletedTask;
            });
            await next(context);
        }));
        return app;
    }

    /// <summary>After authentication: a <c>tools/call</c> the caller's scopes do not cover is refused before the SDK sees it.</summary>
    public static WebApplication UseMcpScopes(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path) && HttpMethods.IsPost(context.Request.Method), branch => branch.Use(async (context, next) =>
        {
            if (context.Features.Get<Caller>() is { Kind: CallerKind.Agent } caller)
            {
                context.Request.EnableBuffering();
                string? tool = null;
                try
                {
                    using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                    if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("method", out var method) && method.GetString() == "tools/call"
                        && body.RootElement.TryGetProperty("params", out var parameters) && parameters.TryGetProperty("name", out var name))
                    {
                        tool = name.GetString();
                    }
                }
                catch (JsonException)
                {
                    // Not JSON: the SDK answers it.
                }
                context.Request.Body.Position = 0;
                var scope = tool is null ? null : ToolScopes.GetValueOrDefault(tool, Scopes.Write);
                if (scope is not null && !caller.HasScope(scope))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{scope}\"";
                    await context.Response.WriteAsJsonAsync(new { error = "insufficient_scope", scope });
                    return;
                }
            }
            await next(context);
        }));
        return app;
    }

    public static WebApplication MapMcpServer(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ParleyOptions>>();
        // The route needs only read; each tool's own scope is checked by UseMcpScopes.
        app.MapMcp(Path).RequireAgent().RequireScope(Scopes.Read).ExcludeFromDescription();
        app.MapGet("/.well-known/oauth-protected-resource", (HttpContext context) =>
        {
            var baseUrl = PublicUrls.Base(context, options.Value);
            return Results.Json(new Dictionary<string, object>
            {
                ["resource"] = baseUrl + Path,
                ["authorization_servers"] = Array.Empty<string>(),
                ["bearer_methods_supported"] = new[] { "header" },
                ["scopes_supported"] = Scopes.All,
                ["resource_documentation"] = baseUrl + "/openapi/v1.json",
            });
        }).ExcludeFromDescription();
        return app;
    }
}
