using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.WebSockets;

namespace Parley.Server.Wake.Listener;

/// <summary>
/// <c>GET /v1/devices/ws</c>: the listener channel. The device token comes in the upgrade's <c>Authorization</c>
/// header; anything else (no credential, a revoked device, an owner or agent credential) closes the socket with 1008.
/// </summary>
internal static class ListenerEndpoint
{
    public static IEndpointRouteBuilder MapListenerWebSocket(this IEndpointRouteBuilder app)
    {
        app.Map("/v1/devices/ws", AcceptAsync).WithName("ListenerWebSocket").WithTags("Devices")
            .WithSummary("A paired device's listener channel: hello, pings, wakes.").ExcludeFromDescription();
        return app;
    }

    private static async Task AcceptAsync(HttpContext http, DeviceHub hub, IServiceScopeFactory scopes, TimeProvider time, IOptions<WakeOptions> options)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            throw ApiErrors.Validation("$", "this route takes a WebSocket upgrade");
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero });
        if (http.CallerOrNull() is not { Kind: CallerKind.Device } caller)
        {
            await FrameSocket.RefuseAsync(socket, WebSocketCloseStatus.PolicyViolation, "a device token is required");
            return;
        }
        using var connection = new DeviceConnection(socket, caller, hub, scopes, time, options.Value);
        await connection.RunAsync(http.RequestAborted);
    }
}
