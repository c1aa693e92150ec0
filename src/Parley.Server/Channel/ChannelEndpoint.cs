using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using Parley.Contracts.Channel;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.WebSockets;

namespace Parley.Server.Channel;

/// <summary>
/// <c>GET /v1/ws</c>. The credential comes in the upgrade's <c>Authorization</c> header or as the first frame
/// <c>{"type":"hello","api_key":"…"}</c> within 5 s. A missing or bad credential, an owner token, a publishable key,
/// a suspended agent or a credential without <c>read</c> closes the socket with 1008.
/// </summary>
internal static class ChannelEndpoint
{
    public static IEndpointRouteBuilder MapAgentWebSocket(this IEndpointRouteBuilder app)
    {
        app.Map("/v1/ws", AcceptAsync).WithName("AgentWebSocket").WithTags("Channel")
            .WithSummary("The agent's live channel: unacknowledged deliveries first, then live events.").ExcludeFromDescription();
        return app;
    }

    private static async Task AcceptAsync(HttpContext http, ChannelHub hub, IServiceScopeFactory scopes, TimeProvider time,
        IOptions<ChannelOptions> options, ILoggerFactory loggers)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            throw ApiErrors.Validation("$", "this route takes a WebSocket upgrade");
        }
        var limits = options.Value.Limits;
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.Zero });
        var caller = http.CallerOrNull();
        if (caller is null && http.Request.Headers.Authorization.Count == 0)
        {
            caller = await HelloAsync(socket, scopes, time, limits, http.RequestAborted);
        }
        if (caller is null || caller.Kind != CallerKind.Agent || caller.Credential == CredentialKind.PublishableKey
            || caller.Agent!.Status == AgentStatus.Suspended || !caller.HasScope(Scopes.Read))
        {
            await FrameSocket.RefuseAsync(socket, WebSocketCloseStatus.PolicyViolation, "authentication failed");
            return;
        }
        using var connection = new AgentConnection(socket, caller, hub, scopes, time, limits, loggers.CreateLogger<AgentConnection>());
        await connection.RunAsync(http.RequestAborted);
    }

    /// <summary>Waits (on the injected clock) for the hello frame and authenticates its key.</summary>
    private static async Task<Caller?> HelloAsync(WebSocket socket, IServiceScopeFactory scopes, TimeProvider time, ChannelLimits limits, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timer = Task.Delay(TimeSpan.FromSeconds(limits.WebSocketHelloTimeoutSeconds), time, timeout.Token);
        var read = FrameSocket.ReadFrameAsync(socket, 16 * 1024, ct);
        if (await Task.WhenAny(read, timer) != read)
        {
            // Close while the read is still pending (cancelling it would abort the socket): the peer's answer ends it.
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.PolicyViolation, "no hello within the timeout");
            await read.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            return null;
        }
        await timeout.CancelAsync();
        var frame = await read;
        if (frame is not { } hello || ChannelFrames.Type(hello) != FrameTypes.Hello
            || ChannelFrames.Field(hello, "api_key") is not { Length: > 0 } credential)
        {
            return null;
        }
        await using var scope = scopes.CreateAsyncScope();
        try
        {
            return await scope.ServiceProvider.GetRequiredService<Authenticator>().AuthenticateAsync(credential, ct);
        }
        catch (ApiException)
        {
            return null;
        }
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }
}
