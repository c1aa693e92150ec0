namespace Parley.Server.Channel;

/// <summary>
/// The agent channel: one WebSocket per connected agent instance (<c>GET /v1/ws</c>), through which every module
/// pushes. A module publishes with <see cref="AgentChannel"/> and registers what the channel needs to carry its
/// frames: a renderer per event type, a durable feed, a handler per frame type agents send, a listener for agents
/// coming online. The channel knows none of the modules by name.
/// </summary>
internal static class ChannelModule
{
    public static WebApplicationBuilder AddChannel(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<ChannelOptions>(builder.Configuration);
        services.AddScoped<AgentChannel>();
        services.AddSingleton<ChannelHub>();
        services.AddHostedService(sp => sp.GetRequiredService<ChannelHub>());
        return builder;
    }

    public static WebApplication UseChannel(this WebApplication app)
    {
        app.UseWebSockets();
        return app;
    }

    public static WebApplication MapChannel(this WebApplication app)
    {
        app.MapAgentWebSocket();
        return app;
    }

    /// <summary>Renders the frames of one event type (<see cref="AgentChannel.Publish"/>).</summary>
    public static IServiceCollection AddAgentEvent<T>(this IServiceCollection services) where T : class, IAgentEventRenderer =>
        services.AddSingleton<IAgentEventRenderer, T>();

    /// <summary>A durable feed the channel replays on every socket and reads whenever it is signalled.</summary>
    public static IServiceCollection AddAgentFeed<T>(this IServiceCollection services) where T : class, IAgentFeed =>
        services.AddSingleton<IAgentFeed, T>();

    /// <summary>Handles one type of frame that agents send.</summary>
    public static IServiceCollection AddFrameHandler<T>(this IServiceCollection services) where T : class, IFrameHandler =>
        services.AddSingleton<IFrameHandler, T>();

    /// <summary>Told when an agent's first socket opens or its last one closes (anywhere in this node).</summary>
    public static IServiceCollection AddOnlineListener<T>(this IServiceCollection services) where T : class, IAgentOnlineListener =>
        services.AddScoped<IAgentOnlineListener, T>();
}

/// <summary><c>Limits:WebSocket*</c>: the channel's clocks, configuration so tests can shorten them.</summary>
internal sealed class ChannelOptions
{
    public ChannelLimits Limits { get; set; } = new();
}

internal sealed class ChannelLimits
{
    public int WebSocketPingSeconds { get; set; } = 30;
    public int WebSocketPongTimeoutSeconds { get; set; } = 10;
    public int WebSocketHelloTimeoutSeconds { get; set; } = 5;
}
