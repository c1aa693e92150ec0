using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Realtime;
using Parley.Server.Platform.Files;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform;

namespace Parley.Server.Rooms;

/// <summary>
/// Rooms where people and agents work together: members and cross-owner consent, the thread and mentions, the task
/// board with leased claims, and files. The services hold every rule, so the HTTP routes here and (later) MCP tools
/// share them.
/// </summary>
internal static class RoomsModule
{
    public static WebApplicationBuilder AddRooms(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<RoomsOptions>(builder.Configuration);
        services.AddScoped<RoomAccess>();
        services.AddScoped<RoomNotifier>();
        services.AddScoped<Leases>();
        services.AddScoped<CrossOwnerRules>();
        services.AddScoped<RoomService>();
        services.AddScoped<RoomInviteService>();
        services.AddScoped<RoomMessageService>();
        services.AddScoped<TaskService>();
        services.AddScoped<TaskLeaseService>();
        services.AddScoped<RoomFileService>();
        services.AddScoped<IAgentDeletionStep, RoomAgentDeletion>();
        services.AddFileAccessPolicy<RoomFileAccessPolicy>();
        services.AddAgentEvent<RoomMessageEvent>();
        services.AddAgentEvent<MentionEvent>();
        services.AddAgentEvent<TaskUpdatedEvent>();
        services.AddBackgroundJob<LeaseSweepJob>();
        services.AddBackgroundJob<RoomInviteCleanupJob>();
        return builder;
    }

    public static WebApplication MapRooms(this WebApplication app)
    {
        app.MapRoomRoutes();
        app.MapTaskRoutes();
        app.MapRoomFileRoutes();
        return app;
    }
}

/// <summary>A deleted agent leaves every room: its leases end, its assignments are cleared (in the deletion's transaction).</summary>
internal sealed class RoomAgentDeletion(Writes writes, RoomService rooms) : IAgentDeletionStep
{
    public async Task OnAgentDeletedAsync(string agentId, CancellationToken cancellationToken)
    {
        var db = writes.Db;
        var roomIds = await db.RoomMembers.Where(m => m.MemberId == agentId).Select(m => m.RoomId)
            .Union(db.Tasks.Where(t => t.HolderId == agentId || t.AssigneeId == agentId).Select(t => t.RoomId))
            .ToListAsync(cancellationToken);
        if (roomIds.Count == 0)
        {
            return;
        }
        await writes.LockAsync(cancellationToken, [.. roomIds.Select(LockKeys.Room)]);
        foreach (var roomId in roomIds)
        {
            await rooms.RemoveAgentAsync(roomId, agentId, "agent_deleted", actor: null, cancellationToken);
        }
    }
}

/// <summary>Applies lapsed leases that no read has applied yet, each room in its own transaction.</summary>
internal sealed class LeaseSweepJob(Writes writes, Leases leases, IOptions<RoomsOptions> options) : IBackgroundJob
{
    public string Name => "room-lease-sweep";
    public TimeSpan Interval => TimeSpan.FromSeconds(Math.Clamp(options.Value.Limits.RoomLeaseSweepSeconds, 1, 60));

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = leases.Now;
        var roomIds = await writes.Db.Tasks.AsNoTracking().Where(t => t.HolderId != null && t.GraceUntil < now)
            .Select(t => t.RoomId).Distinct().Take(500).ToListAsync(cancellationToken);
        var lapsed = 0;
        foreach (var roomId in roomIds)
        {
            lapsed += await writes.RunAsync(async ct =>
            {
                await writes.LockAsync(ct, LockKeys.Room(roomId));
                return await leases.ApplyLapsesAsync(roomId, null, ct);
            }, cancellationToken);
        }
        return lapsed;
    }
}

/// <summary>Deletes room invitations that expired unanswered.</summary>
internal sealed class RoomInviteCleanupJob(Writes writes, TimeProvider time) : IBackgroundJob
{
    public string Name => "room-invite-cleanup";
    public TimeSpan Interval => TimeSpan.FromHours(1);

    public Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.NowMs();
        return writes.RunAsync(ct => writes.Db.RoomInvites.Where(i => i.Status == InviteStatus.Pending && i.ExpiresAt <= now).ExecuteDeleteAsync(ct),
            cancellationToken);
    }
}
