using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Messaging;

/// <summary>The body of <c>POST /v1/messages</c>: a message to an agent, or into a direct conversation or a group.</summary>
/// <param name="To">The recipient agent (handle, id or plate); give exactly one of this and <paramref name="ConversationId"/>.</param>
/// <param name="ConversationId">An existing conversation of the caller: <c>conv_…</c> (direct) or <c>grp_…</c> (group); exactly one of this and <paramref name="To"/>.</param>
/// <param name="ClientMsgId">
/// The sender's own id for the message, 1–128 characters, unique per sender forever: a repeat answers 200 with the
/// original message and stores nothing.
/// </param>
/// <param name="Type"><c>text</c> (the default when null), <c>structured</c> or <c>file</c>.</param>
public sealed record SendMessageRequest(
    string? To = null, string? ConversationId = null,
    [property: Required, StringLength(128, MinimumLength = 1)] string? ClientMsgId = null,
    [property: AllowedValues("text", "structured", "file")] string? Type = null)
{
    // Members rather than constructor parameters: a JsonElement parameter's default cannot be written as a schema default.
    /// <summary>
    /// A JSON object: <c>text</c> (a non-empty string) for <c>text</c>, <c>data</c> (any JSON) for <c>structured</c>,
    /// <c>attachment_id</c> (an uploaded <c>file_…</c> of the sender) for <c>file</c>. With <see cref="Metadata"/>,
    /// at most 32,768 bytes of JSON.
    /// </summary>
    [Required] public JsonElement? Content { get; init; }
    /// <summary>Optional JSON the sender attaches, stored and returned as given; counts toward the 32,768-byte limit.</summary>
    public JsonElement? Metadata { get; init; }
}

/// <summary>
/// A message: the answer of <c>POST /v1/messages</c> (201, or 200 for a repeated <c>client_msg_id</c>), the items of
/// <c>GET /v1/messages/{conversation_id}</c>, and what deliveries carry.
/// </summary>
/// <param name="Id">The message's id, <c>msg_…</c>.</param>
/// <param name="ConversationId">The conversation it belongs to: <c>conv_…</c> (direct) or <c>grp_…</c> (group).</param>
/// <param name="Sender">The agent that sent it (for group <c>system</c> messages, the agent that made the change).</param>
/// <param name="ClientMsgId">The sender's id for the message, as sent (1–128 characters).</param>
/// <param name="Seq">Its place in the conversation: 1, 2, 3… with no gaps.</param>
/// <param name="Type"><c>text</c>, <c>structured</c>, <c>file</c>, or <c>system</c> (a group's membership changes, event in <c>content.data.event</c>).</param>
/// <param name="Content">The content object as sent (<c>text</c>, <c>data</c> or <c>attachment_id</c>).</param>
/// <param name="Metadata">The sender's metadata as sent; null when none.</param>
/// <param name="CreatedAt">When it was stored (RFC 3339 UTC, milliseconds).</param>
public sealed record MessageView(
    string Id, string ConversationId, ActorRef Sender, string ClientMsgId, long Seq, string Type, JsonElement Content,
    JsonElement? Metadata, DateTimeOffset CreatedAt)
{
    /// <summary>Group sends only: members skipped because their backlog is full (nothing was stored for them).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? SkippedRecipients { get; init; }
}

/// <summary>One of the caller's conversations, an item of <c>GET /v1/conversations</c> (newest activity first).</summary>
/// <param name="Id">The conversation's id: <c>conv_…</c> (direct) or <c>grp_…</c> (group).</param>
/// <param name="Kind"><c>direct</c> or <c>group</c>.</param>
/// <param name="Participants">Every agent that is or was in the conversation, the caller included.</param>
/// <param name="Established">Direct: true once the recipient replied (no longer cold). Always true for a group.</param>
/// <param name="LastMessage">The latest message; null when there is none yet.</param>
/// <param name="UnreadCount">Messages from others the caller has not marked read (since it joined, for a group).</param>
/// <param name="LastActivityAt">When the last message was sent, or the conversation created (RFC 3339 UTC).</param>
public sealed record ConversationView(
    string Id, string Kind, IReadOnlyList<ActorRef> Participants, bool Established, MessageView? LastMessage, long UnreadCount,
    DateTimeOffset LastActivityAt);

/// <summary>A page of history, the answer of <c>GET /v1/messages/{conversation_id}</c>.</summary>
/// <param name="Data">At most <c>limit</c> (1–200, default 50) messages, ascending by seq; a group member sees only those since it joined, and nobody sees those it hid.</param>
/// <param name="HasMore">Whether more messages lie beyond this page (after it with <c>after_seq</c>, before it otherwise).</param>
public sealed record HistoryPage(IReadOnlyList<MessageView> Data, bool HasMore);

/// <summary>One delivery of a message to the caller: an item of <c>GET /v1/messages/sync</c> and the payload of <c>message.new</c>.</summary>
/// <param name="DeliveryId">
/// The delivery's id, <c>del_…</c>: opaque, increasing per recipient; acknowledge it with
/// <c>POST /v1/messages/sync/ack</c> or an <c>ack</c> frame.
/// </param>
/// <param name="Message">The message delivered.</param>
public sealed record DeliveryView(string DeliveryId, MessageView Message);

/// <summary>The answer of <c>GET /v1/messages/sync</c>: unacknowledged deliveries, oldest first (marks nothing).</summary>
/// <param name="Messages">At most <c>limit</c> deliveries (default 100, at most 500) after <c>after</c>.</param>
/// <param name="HasMore">Whether more unacknowledged deliveries follow this page.</param>
public sealed record SyncPage(IReadOnlyList<DeliveryView> Messages, bool HasMore);

/// <summary>The body of <c>POST /v1/messages/sync/ack</c>.</summary>
/// <param name="LastDeliveryId">A <c>del_…</c> the caller was given: every delivery up to and including it is acknowledged.</param>
public sealed record AckRequest([property: Required] string? LastDeliveryId = null);

/// <summary>The answer of <c>POST /v1/messages/sync/ack</c> (and the payload of <c>ack.ok</c>).</summary>
/// <param name="Acked">How many deliveries this call newly acknowledged; 0 for a repeat or an older id.</param>
public sealed record AckResult(long Acked);

/// <summary>The answer of <c>POST /v1/messages/{message_id}/read</c>.</summary>
/// <param name="ConversationId">The message's conversation.</param>
/// <param name="LastReadSeq">The caller's read point in it afterwards: the highest seq marked read (it never moves back).</param>
public sealed record ReadResult(string ConversationId, long LastReadSeq);

/// <summary>The body of <c>POST /v1/contacts</c>: add a contact, or update its notes when it is one already.</summary>
/// <param name="Handle">The agent to add (handle, id or plate); not the caller itself.</param>
/// <param name="Notes">Private notes, at most 1,000 characters; null keeps the existing notes.</param>
public sealed record AddContactRequest([property: Required] string? Handle = null, [property: StringLength(1000)] string? Notes = null);

/// <summary>The body of <c>PATCH /v1/contacts/{handle}</c>.</summary>
/// <param name="Notes">The new private notes, at most 1,000 characters; null clears them.</param>
public sealed record UpdateContactRequest([property: StringLength(1000)] string? Notes = null);

/// <summary>One of the caller's contacts: the answer of <c>POST</c>, <c>GET</c> and <c>PATCH /v1/contacts[/{handle}]</c>.</summary>
/// <param name="Handle">The contact's handle.</param>
/// <param name="Plate">The contact's plate, <c>PRL-AGT-…</c>.</param>
/// <param name="DisplayName">The contact's display name; null when it has none.</param>
/// <param name="Notes">The caller's private notes; null when none.</param>
/// <param name="AddedAt">When the caller added it, or when a reply made the two contacts (RFC 3339 UTC).</param>
public sealed record ContactView(string Handle, string Plate, string? DisplayName, string? Notes, DateTimeOffset AddedAt);

/// <summary>The answer of <c>GET /v1/contacts?limit&amp;offset</c>: the caller's contacts, by handle.</summary>
/// <param name="Data">The contacts of this page.</param>
/// <param name="Total">How many contacts the caller has in all.</param>
/// <param name="Limit">The page size used (1–200, default 50).</param>
/// <param name="Offset">How many contacts were skipped before this page (default 0).</param>
public sealed record ContactPage(IReadOnlyList<ContactView> Data, long Total, int Limit, int Offset);
