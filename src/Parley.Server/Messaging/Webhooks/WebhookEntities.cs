using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Messaging.Webhooks;

/// <summary>An agent's webhook endpoint. The signing secret is sealed under the master key (it must be used, not just checked).</summary>
internal sealed class Webhook
{
    public required string Id { get; set; }
    public required string AgentId { get; set; }
    public required string Url { get; set; }

    /// <summary>Space-separated event types.</summary>
    public required string Events { get; set; }

    public required byte[] Secret { get; set; }
    public long CreatedAt { get; set; }

    /// <summary>Consecutive failed attempts; five open the circuit.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>While in the future, no attempt is made; once past, one probe goes through.</summary>
    public long CircuitOpenUntil { get; set; }
}

/// <summary>One event to send to one webhook, with its retry state.</summary>
internal sealed class WebhookDelivery
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Dropped = "dropped";

    public required string Id { get; set; }
    public required string WebhookId { get; set; }
    public required string AgentId { get; set; }
    public required string EventType { get; set; }

    /// <summary>The body to post, as JSON (<c>{event, timestamp, data}</c>).</summary>
    public required string Body { get; set; }

    /// <summary>For <c>message.new</c>: the recipient's delivery number a 2xx acknowledges.</summary>
    public long? DeliverySeq { get; set; }

    public required string Status { get; set; }
    public int Attempts { get; set; }
    public long NextAttemptAt { get; set; }
    public long LockedUntil { get; set; }
    public string? LastError { get; set; }
    public long CreatedAt { get; set; }
}

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>, IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<Webhook> builder)
    {
        builder.ToTable("webhooks");
        builder.HasKey(w => w.Id);
        builder.HasIndex(w => w.AgentId);
    }

    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.HasKey(d => d.Id);
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
        builder.HasIndex(d => d.WebhookId);
    }
}
