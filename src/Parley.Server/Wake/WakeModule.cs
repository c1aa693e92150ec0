using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Jobs;
using Parley.Server.Wake.Listener;
using Parley.Server.Wake.Runs;
using Parley.Server.Wake.Schedules;
using Parley.Server.Wake.Triggers;

namespace Parley.Server.Wake;

/// <summary>
/// Waking agents that live on people's machines (wake.md). So far: the listener channel of paired devices
/// (<c>GET /v1/devices/ws</c>) and runs (started by hand, one active per agent, cancelled, expired when no device
/// takes them). Devices themselves (pairing, tokens, bindings, revocation) are identity's
/// (<c>Identity/Devices</c>): a device is a credential holder like an agent key.
/// </summary>
internal static class WakeModule
{
    public static WebApplicationBuilder AddWake(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<WakeOptions>(builder.Configuration.GetSection("Wake"));
        services.AddSingleton<DeviceHub>();
        services.AddHostedService(sp => sp.GetRequiredService<DeviceHub>());
        services.AddScoped<RunService>();
        services.AddScoped<DeviceRunService>();
        services.AddScoped<RunDispatch>();
        services.AddScoped<RunStates>();
        services.AddScoped<AgentWaker>();
        services.AddScoped<IRunPassports, RunPassports>();
        services.AddBackgroundJob<RunClockJob>();
        services.AddScoped<ScheduleService>();
        services.AddBackgroundJob<ScheduleJob>();
        services.AddScoped<TriggerService>();
        services.AddBackgroundJob<TriggerCallCleanupJob>();
        return builder;
    }

    public static WebApplication MapWake(this WebApplication app)
    {
        app.MapListenerWebSocket();
        app.MapRuns();
        app.MapSchedules();
        app.MapTriggers();
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Platform.ParleyOptions>>().Value.Testing.FaultHooks)
        {
            app.MapWakeTestHooks();
        }
        return app;
    }
}

/// <summary><c>Wake:*</c>: runs' and the listener channel's clocks (configuration, so tests can shorten them).</summary>
internal sealed class WakeOptions
{
    /// <summary>A run no device accepts within this ends <c>expired</c> (<c>no_device</c>).</summary>
    public int QueueSeconds { get; set; } = 600;

    public int HeartbeatTimeoutSeconds { get; set; } = 120;

    /// <summary>The longest a run may last; its credits are reserved for this many minutes.</summary>
    public int MaxRunSeconds { get; set; } = 3600;

    public int ListenerPingSeconds { get; set; } = 30;
    public int ListenerPongTimeoutSeconds { get; set; } = 10;
    public int ListenerHelloTimeoutSeconds { get; set; } = 10;
}
