using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Messaging;

public sealed record SendMessageRequest(
    string? To = null, string? ConversationId = null,
    [property: Required, StringLength(128, MinimumLength = 1)] string? ClientMsgId = null,
    [property: AllowedValues("text", "structured", "file")] string? Type = null)
{
    // Members rather than constructor parameters: a JsonElement parameter's default cannot be written as a schema default.
    [Required] public JsonElement? Content { get; init; }
    public JsonElement? Metadata { get; init; }
}

public sealed record MessageView(
    string Id, string ConversationId, ActorRef Sender, string ClientMsgId, long Seq, string Type, JsonElement Content,
    JsonElement? Metadata, DateTimeOffset CreatedAt)
{
    /// <summary>Group sends only: members skipped because their backlog is full (nothing was stored for them).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? SkippedRecipients { get; init; }
}

public sealed record ConversationView(
    string Id, string Kind, IReadOnlyList<ActorRef> Participants, bool Established, MessageView? LastMessage, long UnreadCount,
    DateTimeOffset LastActivityAt);

public sealed record HistoryPage(IReadOnlyList<MessageView> Data, bool HasMore);

public sealed record DeliveryView(string DeliveryId, MessageView Message);

public sealed record SyncPage(IReadOnlyList<DeliveryView> Messages, bool HasMore);

public sealed record AckRequest([property: Required] string? LastDeliveryId = null);

public sealed record AckResult(long Acked);

public sealed record ReadResult(string ConversationId, long LastReadSeq);

public sealed record AddContactRequest([property: Required] string? Handle = null, [property: StringLength(1000)] string? Notes = null);

public sealed record UpdateContactRequest([property: StringLength(1000)] string? Notes = null);

public sealed record ContactView(string Handle, string Plate, string? DisplayName, string? Notes, DateTimeOffset AddedAt);

public sealed record ContactPage(IReadOnlyList<ContactView> Data, long Total, int Limit, int Offset);
