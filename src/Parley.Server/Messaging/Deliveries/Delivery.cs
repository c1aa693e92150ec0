using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Parley.Server.Messaging.Deliveries;

/// <summary>
/// One recipient's copy of a message to deliver. <see cref="Seq"/> comes from the recipient's counter inside the send
/// transaction, so a recipient's deliveries are numbered in commit order and a cumulative ack never covers one that
/// was not yet visible.
/// </summary>
internal sealed class Delivery
{
    public required string RecipientId { get; set; }
    public long Seq { get; set; }
    public required string MessageId { get; set; }
    public long CreatedAt { get; set; }

    /// <summary>A webhook answered 2xx for it; the ack point moves over runs of these.</summary>
    public bool WebhookAcked { get; set; }
}

/// <summary>
/// An agent's delivery counters: the last delivery number given out and the cumulative acknowledgement point. The
/// backlog (unacknowledged deliveries) is their difference.
/// </summary>
internal sealed class Inbox
{
    public required string AgentId { get; set; }
    public long LastDeliverySeq { get; set; }
    public long AckedThrough { get; set; }
}

/// <summary>Delivery ids are opaque to clients; inside they carry the recipient's delivery number.</summary>
internal static class DeliveryIds
{
    public static string Of(long seq) => "del_" + seq.ToString("D12", CultureInfo.InvariantCulture);

    public static bool TryParse(string? id, out long seq)
    {
        seq = 0;
        return id is not null && id.StartsWith("del_", StringComparison.Ordinal)
            && long.TryParse(id.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }
}

internal sealed class DeliveryConfiguration : IEntityTypeConfiguration<Delivery>, IEntityTypeConfiguration<Inbox>
{
    public void Configure(EntityTypeBuilder<Delivery> builder)
    {
        builder.ToTable("deliveries");
        builder.HasKey(d => new { d.RecipientId, d.Seq });
        builder.HasIndex(d => d.CreatedAt);
    }

    public void Configure(EntityTypeBuilder<Inbox> builder)
    {
        builder.ToTable("inboxes");
        builder.HasKey(i => i.AgentId);
    }
}
