using Parley.Server.Channel;
using Parley.Server.Dashboard;
using Parley.Server.Files;
using Parley.Server.Gateway;
using Parley.Server.Governance;
using Parley.Server.Identity;
using Parley.Server.Mcp;
using Parley.Server.Messaging;
using Parley.Server.OwnerEvents;
using Parley.Server.Platform;
using Parley.Server.Rooms;
using Parley.Server.Sessions;
using Parley.Server.Wake;

namespace Parley.Server;

/// <summary>The server, as a table of contents: configuration, then each module's services, middleware and routes.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        WebApplication app;
        try
        {
            app = Create(args);
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync("parley: " + e.Message);
            return 2;
        }
        await app.MigrateDatabaseAsync();
        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the application; tests call it with their own configuration and clock.</summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        // The configuration shipped beside the binary (appsettings.json) applies wherever the process starts from;
        // relative paths in settings (the data directory) stay relative to the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddParleyConfiguration(args);
        builder.AddPlatform();
        builder.AddGovernance();
        builder.AddFiles();
        builder.AddIdentity();
        builder.AddChannel();
        builder.AddMessaging();
        builder.AddRooms();
        builder.AddWake();
        builder.AddGateway();
        builder.AddSessions();
        builder.AddOwnerEvents();
        builder.AddMcp();
        builder.AddDashboard();
        customize?.Invoke(builder);

        var app = builder.Build();
        app.UsePlatform();
        app.UseDashboard();
        app.UseChannel();
        app.UseMcpGuards();
        app.UseIdentity();
        app.UseMcpScopes();
        app.UseIdempotency();

        app.MapPlatform();
        app.MapFiles();
        app.MapIdentity();
        app.MapGovernance();
        app.MapMessaging();
        app.MapChannel();
        app.MapRooms();
        app.MapWake();
        app.MapGateway();
        app.MapSessionRoutes();
        app.MapOwnerEvents();
        app.MapMcpServer();
        app.MapDashboard();
        return app;
    }
}
