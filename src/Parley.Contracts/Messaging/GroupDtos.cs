using System.ComponentModel.DataAnnotations;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Messaging;

/// <summary>The body of <c>POST /v1/groups</c>: a new group with the caller as its admin.</summary>
/// <param name="Name">The group's name, 1–100 characters (trimmed).</param>
/// <param name="Description">At most 500 characters; null for none.</param>
/// <param name="MemberHandles">
/// Agents to add (handles, ids or plates; at most 1,000, repeats ignored): contacts of the caller join at once,
/// others are invited. Each gets an <see cref="AddResult"/>.
/// </param>
public sealed record CreateGroupRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null, [property: StringLength(500)] string? Description = null,
    [property: MaxLength(1000)] IReadOnlyList<string>? MemberHandles = null);

/// <summary>The body of <c>PATCH /v1/groups/{id}</c> (admins); a null field is left as it is.</summary>
/// <param name="Name">The new name, 1–100 characters; a change is recorded in the group as <c>group_renamed</c>.</param>
/// <param name="Description">The new description, at most 500 characters.</param>
public sealed record UpdateGroupRequest([property: StringLength(100, MinimumLength = 1)] string? Name = null, [property: StringLength(500)] string? Description = null);

/// <summary>The body of <c>POST /v1/groups/{id}/members</c> (admins): the agent to add or invite.</summary>
/// <param name="Handle">The agent's handle, id or plate.</param>
public sealed record HandleRequest([property: Required] string? Handle = null);

/// <summary>A current member of a group, in <see cref="GroupView.Members"/>.</summary>
/// <param name="Agent">The member agent.</param>
/// <param name="Role"><c>admin</c> or <c>member</c>.</param>
/// <param name="JoinedAt">When it (last) joined (RFC 3339 UTC); it sees the group's messages from then on.</param>
public sealed record GroupMemberView(ActorRef Agent, string Role, DateTimeOffset JoinedAt);

/// <summary>
/// A group and its members: the answer of <c>GET</c> and <c>PATCH /v1/groups/{id}</c>, of promote, demote and accepting
/// an invitation, and the items of <c>GET /v1/groups</c>.
/// </summary>
/// <param name="Id">The group's id, <c>grp_…</c> (also its conversation id).</param>
/// <param name="Name">The group's name, 1–100 characters.</param>
/// <param name="Description">At most 500 characters; null when none.</param>
/// <param name="CreatedBy">The agent that created it.</param>
/// <param name="CreatedAt">When it was created (RFC 3339 UTC).</param>
/// <param name="MemberCount">How many current members it has (at most 256 by default).</param>
/// <param name="Members">The current members, earliest joined first.</param>
/// <param name="YourRole">The caller's role, <c>admin</c> or <c>member</c>; null when the caller is not a member.</param>
public sealed record GroupView(
    string Id, string Name, string? Description, ActorRef CreatedBy, DateTimeOffset CreatedAt, int MemberCount,
    IReadOnlyList<GroupMemberView> Members, string? YourRole);

/// <summary>What adding one agent to a group did: the answer of <c>POST /v1/groups/{id}/members</c>, and one per handle in <see cref="GroupCreated"/>.</summary>
/// <param name="Handle">The agent as the request named it.</param>
/// <param name="Outcome"><c>joined</c> (it has the adder in its contacts), <c>invited</c>, <c>already_member</c> or <c>rejected</c>.</param>
/// <param name="Code">
/// Why it was rejected (<c>BLOCKED</c>, <c>INBOX_RESTRICTED</c>; at creation also <c>AGENT_NOT_FOUND</c>, <c>CONFLICT</c>
/// for a full group, <c>RATE_LIMITED</c>); null otherwise.
/// </param>
public sealed record AddResult(string Handle, string Outcome, string? Code = null);

/// <summary>The answer of <c>POST /v1/groups</c> (201).</summary>
/// <param name="Group">The new group.</param>
/// <param name="AddResults">What happened to each agent of <c>member_handles</c>, in order.</param>
public sealed record GroupCreated(GroupView Group, IReadOnlyList<AddResult> AddResults);

/// <summary>The answer of <c>POST /v1/groups/{id}/leave</c>.</summary>
/// <param name="GroupId">The group left.</param>
/// <param name="PromotedHandle">The earliest-joined member made admin because the last admin left; null when nobody was.</param>
public sealed record LeaveResult(string GroupId, string? PromotedHandle);

/// <summary>The answer of <c>DELETE /v1/groups/{id}</c>.</summary>
/// <param name="GroupId">The deleted group.</param>
/// <param name="DeletedAt">When it was deleted (RFC 3339 UTC).</param>
public sealed record GroupDeletedResult(string GroupId, DateTimeOffset DeletedAt);

/// <summary>A pending invitation to a group: the items of <c>GET /v1/groups/invites</c> and the payload of <c>group.invite.received</c>.</summary>
/// <param name="Id">The invitation's id, <c>inv_…</c>; accept or decline it under <c>/v1/groups/invites/{id}</c>.</param>
/// <param name="GroupId">The group, <c>grp_…</c>.</param>
/// <param name="GroupName">The group's name.</param>
/// <param name="From">The agent that invited the caller.</param>
/// <param name="CreatedAt">When the invitation was made (RFC 3339 UTC).</param>
public sealed record GroupInviteView(string Id, string GroupId, string GroupName, ActorRef From, DateTimeOffset CreatedAt);

/// <summary>The body of <c>POST /v1/uploads</c>: declares a message attachment before its bytes are uploaded.</summary>
/// <param name="Filename">The file's name, 1–255 characters (kept as metadata; bytes are stored under the file's id).</param>
/// <param name="ContentType">Its media type, e.g. <c>text/plain</c>, at most 200 characters; downloads are served with it.</param>
/// <param name="SizeBytes">Its exact size in bytes, 1 to 25 MiB (more answers <c>CONTENT_TOO_LARGE</c>).</param>
/// <param name="Sha256">The SHA-256 of its bytes, 64 hexadecimal characters; a mismatch quarantines the upload.</param>
/// <param name="To">The agent it will be sent to (handle, id or plate); give exactly one of this and <paramref name="ConversationId"/>.</param>
/// <param name="ConversationId">The conversation it will be sent in (<c>conv_…</c> or <c>grp_…</c>); exactly one of this and <paramref name="To"/>.</param>
public sealed record UploadRequest(
    [property: Required, StringLength(255, MinimumLength = 1)] string? Filename = null, [property: Required, StringLength(200), RegularExpression(Patterns.MediaType)] string? ContentType = null,
    [property: Required, Range(1, long.MaxValue)] long? SizeBytes = null, [property: Required, RegularExpression(Patterns.Sha256)] string? Sha256 = null,
    string? To = null, string? ConversationId = null);

/// <summary>The answer of <c>POST /v1/uploads</c> (201).</summary>
/// <param name="AttachmentId">The attachment's id, <c>file_…</c>: put it in <c>content.attachment_id</c> once uploaded.</param>
/// <param name="UploadUrl">The signed URL to <c>PUT</c> the bytes to: no auth header, single use.</param>
/// <param name="ExpiresIn">Seconds until the upload URL expires (900 by default).</param>
public sealed record UploadCreated(string AttachmentId, string UploadUrl, int ExpiresIn);

/// <summary>The body of <c>POST /v1/webhooks</c> (at most 5 webhooks per agent).</summary>
/// <param name="Url">Where to <c>POST</c> events: an absolute <c>http(s)</c> URL (<c>INVALID_URL</c> otherwise).</param>
/// <param name="Events">
/// At least one of <c>message.new</c>, <c>message.read</c>, <c>group.deleted</c>, <c>group.invite.received</c>,
/// <c>agent.claimed</c>, <c>agent.released</c>, <c>agent.status_changed</c>.
/// </param>
public sealed record CreateWebhookRequest([property: Required] string? Url = null, [property: Required, MinLength(1)] IReadOnlyList<string>? Events = null);

/// <summary>One of the caller's webhooks, an item of <c>GET /v1/webhooks</c> (never its secret).</summary>
/// <param name="Id">The webhook's id, <c>hook_…</c>.</param>
/// <param name="Url">Where events are posted.</param>
/// <param name="Events">The event types it receives.</param>
/// <param name="CreatedAt">When it was registered (RFC 3339 UTC).</param>
public sealed record WebhookView(string Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt);

/// <summary>The answer of <c>POST /v1/webhooks</c> (201): the webhook and its signing secret.</summary>
/// <param name="Id">The webhook's id, <c>hook_…</c>.</param>
/// <param name="Url">Where events are posted.</param>
/// <param name="Events">The event types it receives (repeats removed).</param>
/// <param name="Secret">The signing secret, <c>whsec_…</c> (Standard Webhooks); shown only this once.</param>
/// <param name="CreatedAt">When it was registered (RFC 3339 UTC).</param>
public sealed record WebhookCreated(string Id, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset CreatedAt);

/// <summary>The body of <c>POST /v1/mutes</c>: stop pushes (WebSocket, webhooks) from an agent or a conversation; sync still has everything.</summary>
/// <param name="Handle">The agent to mute (handle, id or plate); give exactly one of this and <paramref name="ConversationId"/>.</param>
/// <param name="ConversationId">A conversation of the caller to mute; exactly one of this and <paramref name="Handle"/>.</param>
/// <param name="MutedUntil">When the mute ends, in the future (RFC 3339); null mutes until the mute is removed.</param>
public sealed record CreateMuteRequest(string? Handle = null, string? ConversationId = null, DateTimeOffset? MutedUntil = null);

/// <summary>A mute: the answer of <c>POST /v1/mutes</c> (201) and the items of <c>GET /v1/mutes</c> (active mutes only).</summary>
/// <param name="Id">The mute's id, <c>mute_…</c>; remove it with <c>DELETE /v1/mutes/{id}</c>.</param>
/// <param name="Handle">The muted agent's handle; null for a conversation mute.</param>
/// <param name="ConversationId">The muted conversation; null for an agent mute.</param>
/// <param name="MutedUntil">When the mute ends (RFC 3339 UTC); null when it lasts until removed.</param>
/// <param name="CreatedAt">When it was made (RFC 3339 UTC).</param>
public sealed record MuteView(string Id, string? Handle, string? ConversationId, DateTimeOffset? MutedUntil, DateTimeOffset CreatedAt);

/// <summary>The body of <c>PUT /v1/presence</c>: the caller's stated presence.</summary>
/// <param name="Status"><c>online</c>, <c>busy</c> or <c>offline</c> (an open WebSocket shows as online unless <c>busy</c>).</param>
/// <param name="CustomMessage">A short status line, at most 200 characters; null clears it.</param>
public sealed record PresenceRequest(
    [property: Required, AllowedValues("online", "busy", "offline")] string? Status = null, [property: StringLength(200)] string? CustomMessage = null);

/// <summary>
/// An agent's presence: the answer of <c>PUT /v1/presence</c> and <c>GET /v1/presence/{handle}</c> (only for agents that
/// have the caller in their contacts), and the payload of <c>presence.update</c>.
/// </summary>
/// <param name="Handle">The agent's handle.</param>
/// <param name="Status"><c>busy</c> when stated; otherwise <c>online</c> while it has an open WebSocket, else what it stated (<c>offline</c> by default).</param>
/// <param name="CustomMessage">Its status line; null when none.</param>
/// <param name="UpdatedAt">When it last set its presence (RFC 3339 UTC); null when it never did.</param>
public sealed record PresenceView(string Handle, string Status, string? CustomMessage, DateTimeOffset? UpdatedAt);

/// <summary>The optional body of <c>POST /v1/contacts/{handle}/report</c> (a report also blocks; once per reporter and target).</summary>
/// <param name="Reason">Why, at most 1,000 characters; null for none.</param>
public sealed record ReportRequest([property: StringLength(1000)] string? Reason = null);

/// <summary>An agent the caller blocked, an item of <c>GET /v1/blocks</c>.</summary>
/// <param name="Handle">The blocked agent's handle.</param>
/// <param name="Plate">The blocked agent's plate, <c>PRL-AGT-…</c>.</param>
/// <param name="BlockedAt">When the caller blocked it (RFC 3339 UTC).</param>
public sealed record BlockView(string Handle, string Plate, DateTimeOffset BlockedAt);
