using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Channel;
using Parley.Server.Data;
using Parley.Server.Platform;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform.Security;

namespace Parley.Server.Messaging.Webhooks;

/// <summary>
/// Sends queued webhook events. A 2xx within 10 s is success (for <c>message.new</c> it also acknowledges the delivery);
/// anything else is retried after 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 6 h and 24 h, then dropped (sync still has
/// the message). Five consecutive failures open an endpoint's circuit for 5 minutes; then one probe goes through.
/// Requests go through <see cref="OutboundHttp"/> (no redirects, no private addresses). Every node may send: rows are claimed before sending, so each
/// attempt happens once. All times come from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class WebhookDispatcher(IServiceScopeFactory scopes, TimeProvider time, SecretBox box, OutboundHttp outbound,
    IOptions<MessagingOptions> messaging, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public static readonly IReadOnlyList<TimeSpan> RetrySchedule =
    [
        TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(6), TimeSpan.FromHours(24),
    ];

    public const string SecretPurpose = "webhook-secret";
    private const int CircuitThreshold = 5;
    private static readonly TimeSpan CircuitOpenFor = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!messaging.Value.Webhooks.BackgroundDispatch)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Woken after each enqueue; otherwise looks for due retries every second (wall clock).
                await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                // Attempts run on their own: one slow endpoint does not hold up the others.
                await DispatchDueAsync(stoppingToken, waitForAttempts: false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                logger.LogError(exception, "Webhook dispatch failed");
            }
        }
    }

    /// <summary>
    /// Claims every due event and attempts it once; returns how many attempts started. With
    /// <paramref name="waitForAttempts"/> it returns only once they have all finished and been recorded.
    /// </summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct, bool waitForAttempts = true)
    {
        var started = new List<Task>();
        while (true)
        {
            var batch = await ClaimAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }
            started.AddRange(batch.Select(item => AttemptAsync(item.Delivery, item.Hook, ct)));
        }
        if (waitForAttempts)
        {
            await Task.WhenAll(started);
        }
        return started.Count;
    }

    private async Task<List<(WebhookDelivery Delivery, Webhook Hook)>> ClaimAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var writes = scope.ServiceProvider.GetRequiredService<Writes>();
        var db = writes.Db;
        var now = time.NowMs();
        var due = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.Status == WebhookDelivery.Pending && d.NextAttemptAt <= now && d.LockedUntil <= now)
            .Join(db.Webhooks.AsNoTracking(), d => d.WebhookId, w => w.Id, (d, w) => new { d, w })
            .Where(x => x.w.CircuitOpenUntil <= now)
            .OrderBy(x => x.d.CreatedAt).Take(50).ToListAsync(ct);
        var claimed = new List<(WebhookDelivery, Webhook)>();
        var probing = new HashSet<string>();
        foreach (var item in due)
        {
            // A tripped circuit whose pause is over lets one probe through; the rest wait for its outcome.
            if (item.w.ConsecutiveFailures >= CircuitThreshold && !probing.Add(item.w.Id))
            {
                continue;
            }
            var locked = await writes.RunAsync(c => db.WebhookDeliveries
                .Where(d => d.Id == item.d.Id && d.Status == WebhookDelivery.Pending && d.LockedUntil <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LockedUntil, now + (long)ClaimFor.TotalMilliseconds), c), ct);
            if (locked == 1)
            {
                claimed.Add((item.d, item.w));
            }
        }
        return claimed;
    }

    private async Task AttemptAsync(WebhookDelivery delivery, Webhook hook, CancellationToken ct)
    {
        string? error = null;
        try
        {
            using var timeout = new CancellationTokenSource(Timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ct);
            var secret = Encoding.UTF8.GetString(box.Open(hook.Secret, SecretPurpose));
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url)
            {
                Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", delivery.Id);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSigner.Sign(secret, delivery.Id, timestamp, delivery.Body));
            using var response = await outbound.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                error = $"HTTP {(int)response.StatusCode}";
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            error = "timed out after 10 s";
        }
        catch (HttpRequestException e)
        {
            error = e.Message;
        }
        try
        {
            await RecordAsync(delivery, hook, error, ct);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The claim lapses in a minute and the attempt is made again.
            logger.LogError(exception, "Could not record webhook attempt {DeliveryId}", delivery.Id);
        }
    }

    private async Task RecordAsync(WebhookDelivery delivery, Webhook hook, string? error, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var writes = scope.ServiceProvider.GetRequiredService<Writes>();
        var db = writes.Db;
        var now = time.NowMs();
        await writes.RunAsync(async c =>
        {
            if (error is null)
            {
                await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Status, WebhookDelivery.Succeeded).SetProperty(d => d.Attempts, d => d.Attempts + 1)
                    .SetProperty(d => d.LockedUntil, 0L).SetProperty(d => d.LastError, (string?)null), c);
                await db.Webhooks.Where(w => w.Id == hook.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(w => w.ConsecutiveFailures, 0).SetProperty(w => w.CircuitOpenUntil, 0L), c);
                if (delivery.EventType == FrameTypes.MessageNew && delivery.DeliverySeq is { } seq)
                {
                    await AcknowledgeAsync(db, delivery.AgentId, seq, c);
                }
                return;
            }
            var attempts = delivery.Attempts + 1;
            var dropped = attempts > RetrySchedule.Count;
            await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, dropped ? WebhookDelivery.Dropped : WebhookDelivery.Pending)
                .SetProperty(d => d.Attempts, attempts)
                .SetProperty(d => d.NextAttemptAt, dropped ? 0L : now + (long)RetrySchedule[attempts - 1].TotalMilliseconds)
                .SetProperty(d => d.LockedUntil, 0L)
                .SetProperty(d => d.LastError, error), c);
            // Counted in the database, so attempts that fail together still add up.
            var failures = (await Sql.QueryAsync(db, "UPDATE webhooks SET consecutive_failures = consecutive_failures + 1 WHERE id = @p0 RETURNING consecutive_failures",
                r => r.Int32("consecutive_failures"), c, hook.Id)).SingleOrDefault();
            if (failures >= CircuitThreshold)
            {
                var openUntil = now + (long)CircuitOpenFor.TotalMilliseconds;
                await db.Webhooks.Where(w => w.Id == hook.Id).ExecuteUpdateAsync(s => s.SetProperty(w => w.CircuitOpenUntil, openUntil), c);
            }
        }, ct);
        if (error is not null)
        {
            logger.LogInformation("Webhook {WebhookId} attempt failed: {Error}", hook.Id, error);
        }
    }

    /// <summary>Marks the delivery acknowledged, then moves the ack point over the run of acknowledged deliveries after it.</summary>
    private static async Task AcknowledgeAsync(ParleyDb db, string agentId, long seq, CancellationToken c)
    {
        await db.Deliveries.Where(d => d.RecipientId == agentId && d.Seq == seq).ExecuteUpdateAsync(s => s.SetProperty(d => d.WebhookAcked, true), c);
        var inbox = await db.Inboxes.FirstOrDefaultAsync(i => i.AgentId == agentId, c);
        if (inbox is null)
        {
            return;
        }
        var next = await db.Deliveries.AsNoTracking().Where(d => d.RecipientId == agentId && d.Seq > inbox.AckedThrough)
            .OrderBy(d => d.Seq).Select(d => new { d.Seq, d.WebhookAcked }).Take(500).ToListAsync(c);
        var through = inbox.AckedThrough;
        foreach (var d in next)
        {
            if (d.Seq != through + 1 || !d.WebhookAcked)
            {
                break;
            }
            through = d.Seq;
        }
        inbox.AckedThrough = through;
        await db.SaveChangesAsync(c);
    }
}

/// <summary>
/// One full pass of due webhook attempts, waiting for them, on demand (operators, and tests after moving the clock).
/// The dispatcher's own loop does the regular work, so the scheduler never needs to run this.
/// </summary>
internal sealed class WebhookDispatchJob(WebhookDispatcher dispatcher) : IBackgroundJob
{
    public string Name => "webhook-dispatch";
    public TimeSpan Interval => TimeSpan.FromDays(3650);
    public Task<int> RunAsync(CancellationToken cancellationToken) => dispatcher.DispatchDueAsync(cancellationToken);
}
