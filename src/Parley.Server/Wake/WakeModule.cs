using Parley.Server.Wake.Listener;

namespace Parley.Server.Wake;

/// <summary>
/// Waking agents that live on people's machines (wake.md). So far: the listener channel of paired devices
/// (<c>GET /v1/devices/ws</c>). Devices themselves (pairing, tokens, bindings, revocation) are identity's
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
        return builder;
    }

    public static WebApplication MapWake(this WebApplication app)
    {
        app.MapListenerWebSocket();
        return app;
    }
}

/// <summary><c>Wake:*</c>: the listener channel's clocks (configuration, so tests can shorten them).</summary>
internal sealed class WakeOptions
{
    public int ListenerPingSeconds { get; set; } = 30;
    public int ListenerPongTimeoutSeconds { get; set; } = 10;
    public int ListenerHelloTimeoutSeconds { get; set; } = 10;
}
