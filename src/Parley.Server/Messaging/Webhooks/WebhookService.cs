using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Platform;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Webhooks;

/// <summary>An agent's webhooks: at most five, http(s) only, secret shown once.</summary>
internal sealed class WebhookService(Writes writes, Ids ids, TimeProvider time, SecretBox box, OutboundHttp outbound)
{
    public const int MaxPerAgent = 5;
    private ParleyDb Db => writes.Db;

    private static WebhookView View(Webhook w) =>
        new(w.Id, w.Url, w.Events.Split(' '), Clock.Time(w.CreatedAt));

    public async Task<WebhookCreated> CreateAsync(string agentId, CreateWebhookRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var url = v.Required("url", request.Url);
        if (request.Events is not { Count: > 0 })
        {
            v.Add("events", "name at least one event");
        }
        foreach (var unknown in request.Events?.Where(e => !WebhookQueue.EventTypes.Contains(e)) ?? [])
        {
            v.Add("events", $"'{unknown}' is not an event: {string.Join(", ", WebhookQueue.EventTypes)}");
        }
        v.ThrowIfInvalid();
        ValidateUrl(url);
        var secret = WebhookSigner.NewSecret();
        var hook = new Webhook
        {
            Id = ids.New("hook"), AgentId = agentId, Url = url, Events = string.Join(' ', request.Events!.Distinct()),
            Secret = box.Seal(Encoding.UTF8.GetBytes(secret), WebhookDispatcher.SecretPurpose), CreatedAt = time.NowMs(),
        };
        await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Webhooks(agentId));
            if (await Db.Webhooks.CountAsync(w => w.AgentId == agentId, c) >= MaxPerAgent)
            {
                throw ApiErrors.Conflict($"An agent may have at most {MaxPerAgent} webhooks.", MaxPerAgent);
            }
            Db.Webhooks.Add(hook);
        }, ct);
        return new WebhookCreated(hook.Id, hook.Url, hook.Events.Split(' '), secret, Clock.Time(hook.CreatedAt));
    }

    /// <summary><c>INVALID_URL</c> unless absolute http(s); a literal private address is refused here too (names are checked when connecting).</summary>
    private void ValidateUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            throw new ApiException(ErrorCodes.InvalidUrl, "A webhook URL must be an absolute http(s) URL.", ApiErrors.Details(("field", "url")));
        }
        if (outbound.IsRefusedLiteral(uri))
        {
            throw new ApiException(ErrorCodes.InvalidUrl, "Webhooks may not target private, loopback or link-local addresses.", ApiErrors.Details(("field", "url")));
        }
    }

    public async Task<Page<WebhookView>> ListAsync(string agentId, CancellationToken ct)
    {
        var hooks = await Db.Webhooks.AsNoTracking().Where(w => w.AgentId == agentId).OrderBy(w => w.CreatedAt).ToListAsync(ct);
        return new Page<WebhookView>([.. hooks.Select(View)], null);
    }

    public async Task DeleteAsync(string agentId, string id, CancellationToken ct)
    {
        var deleted = await writes.RunAsync(async c =>
        {
            await Db.WebhookDeliveries.Where(d => d.WebhookId == id && d.AgentId == agentId).ExecuteDeleteAsync(c);
            return await Db.Webhooks.Where(w => w.Id == id && w.AgentId == agentId).ExecuteDeleteAsync(c);
        }, ct);
        if (deleted == 0)
        {
            throw ApiErrors.NotFound();
        }
    }

    /// <summary>An agent's deletion removes its webhooks.</summary>
    public async Task DeleteAllAsync(string agentId, CancellationToken c)
    {
        await Db.WebhookDeliveries.Where(d => d.AgentId == agentId).ExecuteDeleteAsync(c);
        await Db.Webhooks.Where(w => w.AgentId == agentId).ExecuteDeleteAsync(c);
    }
}
