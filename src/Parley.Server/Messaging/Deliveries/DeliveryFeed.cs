using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Channel;
using Parley.Contracts.Messaging;
using Parley.Server.Channel;
using Parley.Server.Data;
using Parley.Server.Messaging.Contacts;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Platform;
using Parley.Server.Platform.Jobs;

namespace Parley.Server.Messaging.Deliveries;

/// <summary>
/// Messaging's durable feed on the agent channel: unacknowledged deliveries as <c>message.new</c>, oldest first. Mutes
/// stop pushes only: a muted message is passed over here and stays pending for sync.
/// </summary>
internal sealed class DeliveryFeed : IAgentFeed
{
    private const int PageSize = 200;

    public async Task<FeedPage> ReadAsync(IServiceProvider services, string agentId, long after, CancellationToken ct)
    {
        var (items, hasMore) = await services.GetRequiredService<DeliveryService>().PendingAsync(agentId, after, PageSize, ct);
        if (items.Count == 0)
        {
            return new FeedPage([], after, HasMore: false);
        }
        var db = services.GetRequiredService<ParleyDb>();
        var mutes = await ContactQueries.ActiveMutesAsync(db, agentId, services.GetRequiredService<TimeProvider>().NowMs(), ct);
        var views = await MessageViews.ToViewsAsync(db, [.. items.Select(i => i.Message)], ct);
        var frames = new List<Frame>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var message = items[i].Message;
            if (!mutes.Any(m => m.MutedAgentId == message.SenderId || m.ConversationId == message.ConversationId))
            {
                frames.Add(new Frame(FrameTypes.MessageNew, new DeliveryView(DeliveryIds.Of(items[i].Seq), views[i])));
            }
        }
        return new FeedPage(frames, items[^1].Seq, hasMore);
    }
}

/// <summary>An <c>ack</c> frame: acknowledges like <c>POST /v1/messages/sync/ack</c>, answered with <c>ack.ok</c>.</summary>
internal sealed class AckFrame : IFrameHandler
{
    public string Type => FrameTypes.Ack;

    public async Task<Frame?> HandleAsync(IServiceProvider services, string agentId, JsonElement frame, CancellationToken ct)
    {
        var result = await services.GetRequiredService<DeliveryService>()
            .AckAsync(agentId, ChannelFrames.Field(frame, "last_delivery_id"), ct);
        return new Frame(FrameTypes.AckOk, result);
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
