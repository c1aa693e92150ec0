using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Realtime;
using Parley.Server.Messaging.Webhooks;
using Parley.Server.Platform.Files;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform;

namespace Parley.Server.Messaging;

/// <summary>Direct messages, conversations, contacts and blocks, durable delivery and the agent WebSocket.</summary>
internal static class MessagingModule
{
    public static WebApplicationBuilder AddMessaging(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<MessagingOptions>(builder.Configuration);
        services.AddScoped<AgentEvents>();
        services.AddScoped<DeliveryNotifier>();
        services.AddAgentEvent<MessageReadEvent>();
        services.AddAgentEvent<TypingEvent>();
        services.AddAgentEvent<RateLimitWarningEvent>();
        services.AddScoped<SendService>();
        services.AddScoped<DeliveryService>();
        services.AddScoped<ConversationService>();
        services.AddScoped<ContactService>();
        services.AddScoped<TypingService>();
        services.AddScoped<FanOut>();
        services.AddScoped<GroupRules>();
        services.AddScoped<GroupService>();
        services.AddScoped<AttachmentService>();
        services.AddFileAccessPolicy<AttachmentAccessPolicy>();
        services.AddScoped<SocialService>();
        services.AddScoped<Enforcement>();
        services.AddScoped<WebhookService>();
        services.AddScoped<WebhookQueue>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddBackgroundJob<WebhookDispatchJob>();
        services.AddBackgroundJob<EnforcementLiftJob>();
        services.AddScoped<IAgentDeletionStep, MessagingDeletionStep>();
        services.AddScoped<IAgentNoticeListener, NoticeWebhooks>();
        services.AddAgentEvent<GroupInviteEvent>();
        services.AddAgentEvent<GroupDeletedEvent>();
        services.AddAgentEvent<PresenceEvent>();
        services.AddSingleton<WebSocketHub>();
        services.AddHostedService(sp => sp.GetRequiredService<WebSocketHub>());
        services.AddBackgroundJob<AckedDeliveryCleanupJob>();
        return builder;
    }

    public static WebApplication UseMessaging(this WebApplication app)
    {
        app.UseWebSockets();
        return app;
    }

    public static WebApplication MapMessagingRoutes(this WebApplication app)
    {
        app.MapMessaging();
        app.MapMessagingPart2();
        app.MapAgentWebSocket();
        return app;
    }
}

/// <summary>Acknowledged deliveries are kept 30 days, then removed (messages themselves are kept).</summary>
internal sealed class AckedDeliveryCleanupJob(Writes writes, TimeProvider time, IOptions<MessagingOptions> options) : IBackgroundJob
{
    public string Name => "acked-delivery-cleanup";
    public TimeSpan Interval => TimeSpan.FromHours(1);

    public Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var before = time.NowMs() - (options.Value.Limits.AckedDeliveryRetentionDays * Clock.DayMs);
        return writes.RunAsync(ct => writes.Db.Deliveries
            .Where(d => d.CreatedAt < before && writes.Db.Inboxes.Any(i => i.AgentId == d.RecipientId && i.AckedThrough >= d.Seq))
            .ExecuteDeleteAsync(ct), cancellationToken);
    }
}
