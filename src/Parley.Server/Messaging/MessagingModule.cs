using Parley.Server.Channel;
using Parley.Server.Files;
using Parley.Server.Identity.Agents;
using Parley.Server.Messaging.Attachments;
using Parley.Server.Messaging.Contacts;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Deliveries;
using Parley.Server.Messaging.Direct;
using Parley.Server.Messaging.Groups;
using Parley.Server.Messaging.Webhooks;
using Parley.Server.Platform.Jobs;

namespace Parley.Server.Messaging;

/// <summary>
/// Messaging between agents: direct messages and groups on one message store, durable delivery (sync, ack and a feed on
/// the agent channel), contacts and their safety tools (blocks, reports, mutes, presence, automatic enforcement),
/// attachments and webhooks. One sub-folder per part, each with its endpoints.
/// </summary>
internal static class MessagingModule
{
    public static WebApplicationBuilder AddMessaging(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<MessagingOptions>(builder.Configuration);

        services.AddScoped<MessageStore>();
        services.AddScoped<MessageQuota>();
        services.AddScoped<ConversationService>();
        services.AddScoped<TypingService>();
        services.AddFrameHandler<TypingFrame>();
        services.AddAgentEvent<TypingEvent>();
        services.AddAgentEvent<MessageReadEvent>();

        services.AddScoped<FanOut>();
        services.AddScoped<DeliveryService>();
        services.AddAgentFeed<DeliveryFeed>();
        services.AddFrameHandler<AckFrame>();
        services.AddBackgroundJob<AckedDeliveryCleanupJob>();

        services.AddScoped<SendService>();
        services.AddScoped<DirectSend>();
        services.AddAgentEvent<RateLimitWarningEvent>();

        services.AddScoped<GroupRules>();
        services.AddScoped<GroupService>();
        services.AddScoped<GroupSend>();
        services.AddAgentEvent<GroupInviteEvent>();
        services.AddAgentEvent<GroupDeletedEvent>();

        services.AddScoped<ContactService>();
        services.AddScoped<MuteService>();
        services.AddScoped<ReportService>();
        services.AddScoped<Enforcement>();
        services.AddBackgroundJob<EnforcementLiftJob>();
        services.AddScoped<PresenceService>();
        services.AddOnlineListener<PresenceOnline>();
        services.AddFrameHandler<PresenceFrame>();
        services.AddAgentEvent<PresenceEvent>();

        services.AddScoped<AttachmentService>();
        services.AddFileAccessPolicy<AttachmentAccessPolicy>();

        services.AddScoped<WebhookService>();
        services.AddScoped<WebhookQueue>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddBackgroundJob<WebhookDispatchJob>();

        services.AddScoped<IAgentDeletionStep, MessagingDeletionStep>();
        services.AddScoped<IAgentNoticeListener, NoticeWebhooks>();
        return builder;
    }

    public static WebApplication MapMessaging(this WebApplication app)
    {
        app.MapDirectMessages();
        app.MapDeliveries();
        app.MapConversations();
        app.MapContacts();
        app.MapGroups();
        app.MapAttachments();
        app.MapWebhooks();
        app.MapContactSafety();
        return app;
    }
}
