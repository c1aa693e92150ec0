using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Cluster;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OwnerEvents;

namespace Parley.Server.OwnerEvents;

/// <summary>
/// The owner event stream (surfaces.md): <c>GET /v1/workspaces/{ws}/events</c>, Server-Sent Events of what the
/// workspace's owners should see happen — each with its <c>id</c>, a type and a small summary (ids; the API holds the
/// truth). The events are the rows features record in their writes (<see cref="OwnerEventLog"/>); a stream reads them
/// when the cluster bus says its workspace has new ones, so every node serves every event. A reconnect with
/// <c>Last-Event-ID</c> first gets what it missed (events are kept 10 minutes).
/// </summary>
internal static class OwnerEventStream
{
    /// <summary>Events of several nodes (or writers) can commit slightly out of time order: each read looks this far back and skips what it sent.</summary>
    private const long LookbackMs = 5_000;

    public static IEndpointRouteBuilder MapOwnerEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/workspaces/{workspaceId}/events", StreamAsync).WithTags("Owner events").RequireOwner().RequireWorkspaceRole(Roles.Member)
            .WithName("OwnerEvents").WithSummary("Server-Sent Events for the workspace's owners: runs, devices, approvals, usage thresholds, consent. Last-Event-ID replays 10 minutes.")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream");
        return app;
    }

    private static async Task StreamAsync(WorkspaceAccess access, HttpContext http, ParleyDb db, OwnerEventSignals signals, TimeProvider time, CancellationToken ct)
    {
        var workspaceId = access.Workspace.Id;
        using var writer = new EventStreamWriter(http.Response);
        using var heartbeats = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var beating = writer.HeartbeatAsync(TimeSpan.FromSeconds(15), time, heartbeats.Token);
        var sent = new HashSet<string>(StringComparer.Ordinal);
        long since;
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0)
        {
            // Where the client stopped: from that event's time (or the whole window, when it is gone), less what it has.
            var last = await db.OwnerEvents.AsNoTracking().Where(e => e.Id == lastEventId && e.WorkspaceId == workspaceId).Select(e => (long?)e.CreatedAt)
                .FirstOrDefaultAsync(ct);
            since = last ?? time.NowMs() - OwnerEventLog.RetentionMs;
            sent.UnionWith(await db.OwnerEvents.AsNoTracking()
                .Where(e => e.WorkspaceId == workspaceId && e.CreatedAt >= since - LookbackMs && string.Compare(e.Id, lastEventId) <= 0).Select(e => e.Id).ToListAsync(ct));
        }
        else
        {
            since = time.NowMs();
        }
        try
        {
            await writer.StartAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                var changed = signals.Watch(workspaceId);
                var rows = await db.OwnerEvents.AsNoTracking().Where(e => e.WorkspaceId == workspaceId && e.CreatedAt >= since - LookbackMs)
                    .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).ToListAsync(ct);
                foreach (var row in rows.Where(r => !sent.Contains(r.Id)))
                {
                    await writer.WriteAsync(row.Type, JsonDocument.Parse(row.Data).RootElement, ct, row.Id);
                    sent.Add(row.Id);
                    since = Math.Max(since, row.CreatedAt);
                }
                if (sent.Count > 10_000)
                {
                    // Only what the next read can return again needs remembering.
                    sent.IntersectWith(rows.Select(r => r.Id));
                }
                await changed.WaitAsync(ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The owner went away.
        }
        finally
        {
            await heartbeats.CancelAsync();
            await beating;
        }
    }
}

/// <summary>This node's open owner streams, woken by the cluster bus when their workspace has new events.</summary>
internal sealed class OwnerEventSignals(IClusterBus bus) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);
    private IDisposable? _subscription;

    public Task Watch(string workspaceId) => _waiting.GetOrAdd(workspaceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = bus.Subscribe(OwnerEventLog.Topic, workspaceId =>
        {
            Fire(workspaceId);
            return Task.CompletedTask;
        });
        bus.Resynchronize += ResynchronizeAsync;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        bus.Resynchronize -= ResynchronizeAsync;
        _subscription?.Dispose();
        foreach (var key in _waiting.Keys)
        {
            Fire(key);
        }
        return Task.CompletedTask;
    }

    public void Dispose() => _subscription?.Dispose();

    private void Fire(string workspaceId)
    {
        if (_waiting.TryRemove(workspaceId, out var source))
        {
            source.TrySetResult();
        }
    }

    private Task ResynchronizeAsync()
    {
        foreach (var key in _waiting.Keys)
        {
            Fire(key);
        }
        return Task.CompletedTask;
    }
}

internal static class OwnerEventsModule
{
    public static WebApplicationBuilder AddOwnerEvents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OwnerEventSignals>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OwnerEventSignals>());
        return builder;
    }
}
