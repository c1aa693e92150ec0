using Parley.Server.Channel;
using Parley.Server.Files;
using Parley.Server.Identity.Agents;
using Parley.Server.Platform.Jobs;
using Parley.Server.Rooms.Board;
using Parley.Server.Rooms.Files;
using Parley.Server.Rooms.Membership;
using Parley.Server.Rooms.Thread;

namespace Parley.Server.Rooms;

/// <summary>
/// Rooms where people and agents work together: membership and cross-owner consent, the thread and mentions, the task
/// board with leased claims, and files — one sub-folder each. <see cref="RoomAccess"/> alone decides who sees a room.
/// The services hold every rule, so the HTTP routes and (later) MCP tools share them.
/// </summary>
internal static class RoomsModule
{
    public static WebApplicationBuilder AddRooms(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<RoomsOptions>(builder.Configuration);
        services.AddScoped<RoomAccess>();
        services.AddScoped<RoomNotifier>();

        services.AddScoped<RoomService>();
        services.AddScoped<Governance.IWorkspaceCount, RoomCount>();
        services.AddScoped<RoomInviteService>();
        services.AddScoped<IAgentDeletionStep, RoomAgentDeletion>();
        services.AddBackgroundJob<RoomInviteCleanupJob>();

        services.AddScoped<RoomMessageService>();
        services.AddAgentEvent<RoomMessageEvent>();
        services.AddAgentEvent<MentionEvent>();

        services.AddScoped<TaskLog>();
        services.AddScoped<Leases>();
        services.AddScoped<CrossOwnerRules>();
        services.AddScoped<TaskService>();
        services.AddScoped<TaskLeaseService>();
        services.AddAgentEvent<TaskUpdatedEvent>();
        services.AddBackgroundJob<LeaseSweepJob>();

        services.AddScoped<RoomFileService>();
        services.AddFileAccessPolicy<RoomFileAccessPolicy>();
        return builder;
    }

    public static WebApplication MapRooms(this WebApplication app)
    {
        app.MapMembership();
        app.MapThread();
        app.MapBoard();
        app.MapRoomFiles();
        return app;
    }
}
