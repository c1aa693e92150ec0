using Parley.Server.Platform;

namespace Parley.Server;

/// <summary>The server, as a table of contents: configuration, then each module's services, middleware and routes.</summary>
internal static class Program
{
    public static async Task Main(string[] args)
    {
        var app = Create(args);
        await app.MigrateDatabaseAsync();
        await app.RunAsync();
    }

    /// <summary>Builds the application; tests call it with their own configuration and clock.</summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddParleyConfiguration(args);
        builder.AddPlatform();
        customize?.Invoke(builder);

        var app = builder.Build();
        app.UsePlatform();
        app.UseIdempotency();

        app.MapPlatform();
        return app;
    }
}
