using Parley.Client;
using Parley.Server.Identity.Owners;
using Parley.Server.Platform.Http;

namespace Parley.Server.Dashboard;

/// <summary>
/// <c>GET /dashboard/events?ws=</c>: the workspace's owner event stream for the signed-in browser (an
/// <c>EventSource</c> cannot send a bearer token). It is the API's own stream, read with the SDK as the owner and
/// passed on event by event with the same ids, so the browser's <c>Last-Event-ID</c> resumes it.
/// </summary>
internal static class DashboardEvents
{
    public static IEndpointRouteBuilder MapDashboardEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard/events", RelayAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task RelayAsync(HttpContext http, BrowserSessions sessions, ApiAddress api, TimeProvider time, CancellationToken ct)
    {
        var token = await sessions.AccessTokenAsync(http.Request.Cookies[DashboardCookies.Session], ct);
        var workspace = http.Request.Query["ws"].ToString();
        if (token is null || workspace.Length == 0)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        using var client = new ParleyClient(api.Value, token, new ParleyClientOptions { MaxRetries = 0 });
        using var writer = new EventStreamWriter(http.Response);
        using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var beating = writer.HeartbeatAsync(TimeSpan.FromSeconds(15), time, heartbeats.Token);
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        // The browser's stream opens only once the API has taken ours: from its `open` event on, nothing is missed.
        var opened = Task.CompletedTask;
        try
        {
            await foreach (var item in client.StreamOwnerEventsAsync(workspace, lastEventId.Length > 0 ? lastEventId : null,
                               connected: () => opened = writer.StartAsync(ct), cancellationToken: ct))
            {
                await opened;
                await writer.WriteAsync(item.Type, item.Data, ct, item.Id);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ParleyApiException)
        {
            // The browser went away, or the session ended (the stream is refused): the page reconnects or signs in.
        }
        finally
        {
            await heartbeats.CancelAsync();
            await beating;
            await opened.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
