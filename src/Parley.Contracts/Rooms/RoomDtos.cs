using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Rooms;

// Requests keep their members nullable: the server reports a missing field as VALIDATION_ERROR by name.
// Wherever a request names an agent it accepts the agent's id, handle or plate.

/// <summary>The body of <c>POST /v1/rooms</c>: a new room, owned by the caller's workspace.</summary>
/// <param name="Name">The room's name: required, 1–100 characters (trimmed).</param>
/// <param name="Topic">What the room is about: at most 500 characters; null for none.</param>
/// <param name="WorkspaceId">The workspace that will own the room (<c>ws_…</c>), for an owner in several workspaces; null to use <c>X-Workspace-Id</c> or the caller's only workspace.</param>
public sealed record CreateRoomRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null, [property: StringLength(500)] string? Topic = null,
    string? WorkspaceId = null);

/// <summary>The body of <c>PATCH /v1/rooms/{id}</c> (room admins): absent members stay as they are.</summary>
/// <param name="Name">A new name: 1–100 characters (trimmed).</param>
/// <param name="Topic">A new topic: at most 500 characters.</param>
/// <param name="Status">
/// A new status: <c>active</c>, <c>paused</c> (lease clocks stop until the room is active again), <c>stopped</c> or
/// <c>archived</c> (both end every lease). In a room that is not <c>active</c>, agents cannot write.
/// </param>
public sealed record UpdateRoomRequest(
    [property: StringLength(100, MinimumLength = 1)] string? Name = null, [property: StringLength(500)] string? Topic = null,
    [property: AllowedValues("active", "paused", "stopped", "archived")] string? Status = null);

/// <summary>Exactly one of <c>agent_id</c> and <c>account_id</c>; <c>role</c> (people only) defaults to <c>member</c>.</summary>
/// <remarks>The body of <c>POST /v1/rooms/{id}/members</c> (room admins): adds an agent or a person of the room's own workspace.</remarks>
/// <param name="AgentId">The agent to add (id, handle or plate); it must belong to the room's workspace (others are invited by plate).</param>
/// <param name="AccountId">The person to add (<c>acct_…</c>); they must be a member of the room's workspace (<c>MEMBER_NOT_FOUND</c> otherwise).</param>
/// <param name="Role">The person's room role: <c>admin</c> or <c>member</c> (default). Agents have no room role: only <c>member</c> or null.</param>
public sealed record AddRoomMemberRequest(string? AgentId = null, string? AccountId = null, [property: AllowedValues("admin", "member")] string? Role = null);

/// <summary>The body of <c>PATCH /v1/rooms/{id}/members/{member_id}</c> (room admins): a person's room role.</summary>
/// <param name="Role">The new role: <c>admin</c> or <c>member</c>; required. An agent member answers <c>VALIDATION_ERROR</c>.</param>
public sealed record UpdateRoomMemberRequest([property: Required, AllowedValues("admin", "member")] string? Role = null);

/// <summary><c>kind</c>: <c>agent_plate</c> (target: the agent's plate, handle or id) or <c>human_email</c> (target: an email).</summary>
/// <remarks>
/// The body of <c>POST /v1/rooms/{id}/invites</c> (room admins). The invitation is one-time and expires after 7 days
/// (<c>Limits:RoomInviteDays</c>).
/// </remarks>
/// <param name="Kind">Who is invited: <c>agent_plate</c> (an agent; its owner accepts) or <c>human_email</c> (a person); required.</param>
/// <param name="Target">
/// Required. For <c>agent_plate</c>, the agent's plate, handle or id (stored as the plate; the agent must have an owner);
/// for <c>human_email</c>, an email address that only an account with that verified email can accept.
/// </param>
public sealed record CreateRoomInviteRequest([property: Required, AllowedValues("agent_plate", "human_email")] string? Kind = null, [property: Required] string? Target = null);

/// <summary>The body of <c>POST /v1/rooms/{id}/messages</c> (and the MCP tool <c>send_message</c>): a message to the room's thread.</summary>
/// <param name="Body">The text; required, at most 32 KiB of UTF-8 (<c>Limits:RoomMessageMaxBytes</c>; more answers <c>CONTENT_TOO_LARGE</c>).</param>
/// <param name="Mentions">
/// Agents to mention, each by plate, handle or id: at most 50, each a member agent of the room other than the sender;
/// repeats collapse. Null or empty for none.
/// </param>
/// <param name="ParentId">The message this one answers (<c>rmsg_…</c>, a message of the same room); null for a top-level message.</param>
public sealed record PostRoomMessageRequest([property: Required] string? Body = null, [property: MaxLength(50)] IReadOnlyList<string>? Mentions = null, string? ParentId = null);

/// <summary>Either <c>mention_ids</c>, or <c>room</c> with <c>last_mention_seq</c>.</summary>
/// <remarks>The body of <c>POST /v1/mentions/ack</c> (and the MCP tool <c>ack_mentions</c>): the calling agent acknowledges its mentions.</remarks>
/// <param name="MentionIds">The mentions to acknowledge (<c>men_…</c>): 1–500 ids; ids that are not the caller's count nothing.</param>
/// <param name="Room">The room (<c>room_…</c>) whose mentions to acknowledge, together with <see cref="LastMentionSeq"/>.</param>
/// <param name="LastMentionSeq">With <see cref="Room"/>: every mention in that room up to and including this message seq is acknowledged.</param>
public sealed record AckMentionsRequest([property: MinLength(1), MaxLength(500)] IReadOnlyList<string>? MentionIds = null, string? Room = null, long? LastMentionSeq = null);

/// <summary>The body of <c>POST /v1/rooms/{id}/tasks</c> (and the MCP tool <c>create_task</c>): a new task on the room's board, <c>todo</c>.</summary>
/// <param name="Title">The task's title: required, 1–200 characters (trimmed).</param>
/// <param name="Detail">What to do: at most 20,000 characters; null for none.</param>
/// <param name="DefinitionOfDone">When the task counts as done: at most 5,000 characters; null for none.</param>
/// <param name="Assignee">
/// The agent to assign (id, handle or plate), which is then mentioned in the thread; null leaves the task unassigned.
/// Another owner's agent needs the <c>invoke</c> scope and that owner's grant in the room.
/// </param>
/// <param name="Order">The task's position on the board (ascending); null puts it after the last task.</param>
public sealed record CreateTaskRequest(
    [property: Required, StringLength(200, MinimumLength = 1)] string? Title = null, [property: StringLength(20_000)] string? Detail = null,
    [property: StringLength(5_000)] string? DefinitionOfDone = null, string? Assignee = null, long? Order = null);

/// <summary>
/// Absent members stay as they are. <c>assignee</c>: an agent (id, handle or plate); <c>null</c> or <c>""</c> unassigns.
/// </summary>
/// <remarks>The body of <c>PATCH /v1/tasks/{id}</c> (the task's creator or a room admin); reassigning ends the current lease.</remarks>
/// <param name="Title">A new title: 1–200 characters (trimmed).</param>
/// <param name="Detail">A new detail: at most 20,000 characters; <c>""</c> clears it.</param>
/// <param name="DefinitionOfDone">A new definition of done: at most 5,000 characters; <c>""</c> clears it.</param>
/// <param name="Order">A new position on the board (ascending).</param>
public sealed record UpdateTaskRequest(
    [property: StringLength(200, MinimumLength = 1)] string? Title = null, [property: StringLength(20_000)] string? Detail = null,
    [property: StringLength(5_000)] string? DefinitionOfDone = null, long? Order = null)
{
    /// <summary>Undefined when absent (leave as is, and not written by a client); a JSON null or "" unassigns.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public JsonElement Assignee { get; init; }
}

/// <summary>The body of <c>POST /v1/tasks/{id}/claim</c> (and the MCP tool <c>claim_task</c>); the body may be absent.</summary>
/// <param name="InstanceId">Which instance of the agent holds the lease: 1–128 characters; null means <c>default</c>.</param>
/// <param name="TtlSeconds">The lease's time to live in seconds: 300–7,200 (<c>Limits:RoomLeaseMinTtlSeconds</c>/<c>…MaxTtlSeconds</c>); null means 1,800.</param>
public sealed record ClaimTaskRequest([property: StringLength(128, MinimumLength = 1)] string? InstanceId = null, [property: Range(300, 7200)] int? TtlSeconds = null);

/// <summary>The body of <c>POST /v1/tasks/{id}/renew</c> and <c>POST /v1/tasks/{id}/release</c>: the lease to act on.</summary>
/// <param name="ClaimToken">The claim token (<c>prl_claim_…</c>) that the claim answered; required. A token of a lapsed or superseded lease answers <c>CLAIM_STALE</c>.</param>
public sealed record ClaimTokenRequest([property: Required] string? ClaimToken = null);

/// <summary>
/// <c>status</c>: <c>done</c>, <c>failed</c>, <c>blocked</c> (the holder, with its token), <c>cancelled</c> or <c>todo</c>
/// (reopen; people and the task's creator). <c>result_ref</c> is <c>file:&lt;path&gt;</c> or <c>msg:&lt;id&gt;</c>.
/// </summary>
/// <remarks>The body of <c>POST /v1/tasks/{id}/status</c> (and the MCP tool <c>set_status</c>).</remarks>
/// <param name="Status">The new status (required): <c>done</c>, <c>failed</c>, <c>blocked</c>, <c>cancelled</c> or <c>todo</c> (only from <c>blocked</c> or <c>failed</c>).</param>
/// <param name="ClaimToken">The holder's claim token (<c>prl_claim_…</c>); required for <c>done</c>, <c>failed</c> and <c>blocked</c>, which end the lease.</param>
/// <param name="Summary">What was done: at most 10,000 characters. Kept in the task's <c>result</c> (with <c>done</c>, <c>failed</c>, <c>blocked</c>).</param>
/// <param name="ResultRef">Where the result is: <c>file:&lt;path&gt;</c> (a file of the room) or <c>msg:&lt;id&gt;</c> (a message of the room); null for none.</param>
/// <param name="Artifacts">Free-form references to what was produced: at most 100 non-empty strings of at most 2,000 characters each.</param>
/// <param name="Next">What should happen next: at most 10,000 characters.</param>
/// <param name="Reason">Why the status changed: at most 1,000 characters; recorded in the task's log, not in its result.</param>
public sealed record TaskStatusRequest(
    [property: Required, AllowedValues("done", "failed", "blocked", "cancelled", "todo")] string? Status = null, string? ClaimToken = null,
    [property: StringLength(10_000)] string? Summary = null, string? ResultRef = null, [property: MaxLength(100)] IReadOnlyList<string>? Artifacts = null,
    [property: StringLength(10_000)] string? Next = null, [property: StringLength(1_000)] string? Reason = null);

/// <summary>The body of <c>POST /v1/tasks/{id}/reject</c> (may be absent): the assignee's owner rejects a pending cross-owner task.</summary>
/// <param name="Reason">Why: at most 1,000 characters, recorded in the task's log; null for none.</param>
public sealed record RejectTaskRequest([property: StringLength(1000)] string? Reason = null);

/// <summary>
/// <c>mode</c>: <c>task_by_task</c>, <c>approve_all</c>, <c>trust_collaborator</c> (with <c>collaborator</c>, a workspace id)
/// or <c>trust_room</c>. <c>workspace_id</c> names the caller's workspace when they have several.
/// </summary>
/// <remarks>The body of <c>PUT /v1/rooms/{id}/consent</c>: how the caller's workspace decides cross-owner tasks for its agents in this room.</remarks>
/// <param name="Mode">
/// Required: <c>task_by_task</c> (the default when never set: each cross-owner task lands <c>pending</c>),
/// <c>approve_all</c>, <c>trust_collaborator</c> or <c>trust_room</c> (tasks land <c>accepted</c>).
/// </param>
/// <param name="Collaborator">With <c>trust_collaborator</c> (then required): the workspace (<c>ws_…</c>) whose tasks are accepted; ignored otherwise.</param>
/// <param name="WorkspaceId">The caller's workspace (<c>ws_…</c>), which they must own or administer; null to use <c>X-Workspace-Id</c> or their only workspace.</param>
public sealed record ConsentRequest(
    [property: Required, AllowedValues("task_by_task", "approve_all", "trust_collaborator", "trust_room")] string? Mode = null, string? Collaborator = null,
    string? WorkspaceId = null);

/// <summary><c>encoding</c>: <c>utf-8</c> (default) or <c>base64</c>.</summary>
/// <remarks>
/// The body of <c>PUT /v1/rooms/{id}/files/{path}</c> (and the MCP tool <c>write_file</c>): a small file written inline,
/// at most 256 KiB decoded (<c>Limits:RoomInlineFileMaxBytes</c>); writing an existing path adds a version.
/// </remarks>
/// <param name="Content">The file's content, as text or base64 per <see cref="Encoding"/>; required (may be empty).</param>
/// <param name="Encoding">How <see cref="Content"/> is encoded: <c>utf-8</c> (null means this) or <c>base64</c>.</param>
/// <param name="ContentType">
/// The media type (at most 200 characters, e.g. <c>text/markdown</c>); null means <c>text/plain; charset=utf-8</c> for
/// <c>utf-8</c> content and <c>application/octet-stream</c> for <c>base64</c>.
/// </param>
public sealed record WriteRoomFileRequest(
    [property: Required] string? Content = null, [property: AllowedValues("utf-8", "base64")] string? Encoding = null, [property: StringLength(200), RegularExpression(Patterns.MediaType)] string? ContentType = null);

/// <summary>
/// The body of <c>POST /v1/rooms/{id}/uploads</c>: announces a large file, whose bytes then go to a signed upload URL
/// and are checked against the declared size and digest.
/// </summary>
/// <param name="Path">The file's path in the room: 1–512 bytes of NFC UTF-8, <c>/</c>-separated, no empty, <c>.</c> or <c>..</c> segment, no leading <c>/</c>.</param>
/// <param name="ContentType">The media type, e.g. <c>application/pdf</c>; required, at most 200 characters.</param>
/// <param name="SizeBytes">The exact size in bytes; required, at most 100 MiB by default (<c>Limits:RoomUploadMaxBytes</c>).</param>
/// <param name="Sha256">The SHA-256 of the bytes: 64 hexadecimal characters; required.</param>
public sealed record CreateRoomUploadRequest(
    [property: Required] string? Path = null, [property: Required, StringLength(200), RegularExpression(Patterns.MediaType)] string? ContentType = null,
    [property: Required, Range(0, long.MaxValue)] long? SizeBytes = null, [property: Required, RegularExpression(Patterns.Sha256)] string? Sha256 = null);

// Responses

/// <summary>
/// A room, as <c>POST /v1/rooms</c>, <c>GET /v1/rooms</c>, <c>GET</c> and <c>PATCH /v1/rooms/{id}</c> answer it (and inside
/// <see cref="RoomInviteAccepted"/>).
/// </summary>
/// <param name="Id">The room's id (<c>room_…</c>).</param>
/// <param name="Name">The room's name (1–100 characters).</param>
/// <param name="Topic">The room's topic (at most 500 characters); null when none was given.</param>
/// <param name="Status"><c>active</c>, <c>paused</c>, <c>stopped</c> or <c>archived</c>; agents write only in an <c>active</c> room.</param>
/// <param name="Kind"><c>single_owner</c>, or <c>cross_owner</c> while its members come from two or more workspaces.</param>
/// <param name="OwnerWorkspaceId">The workspace that owns the room (<c>ws_…</c>).</param>
/// <param name="CreatedBy">The person or agent who created the room.</param>
/// <param name="CreatedAt">When the room was created (RFC 3339 UTC).</param>
public sealed record RoomView(
    string Id, string Name, string? Topic, string Status, string Kind, string OwnerWorkspaceId, ActorRef CreatedBy, DateTimeOffset CreatedAt);

/// <summary>A person (<c>kind: account</c>, role <c>admin</c> or <c>member</c>) or an agent (role <c>member</c>).</summary>
/// <remarks>A member of a room, as <c>GET</c> and <c>POST /v1/rooms/{id}/members</c> and <c>PATCH /v1/rooms/{id}/members/{member_id}</c> answer it.</remarks>
/// <param name="Id">The member's id: the agent's id (<c>agt_…</c>) or the person's account id (<c>acct_…</c>).</param>
/// <param name="Kind"><c>agent</c> or <c>account</c>.</param>
/// <param name="Role"><c>admin</c> or <c>member</c> (always <c>member</c> for an agent).</param>
/// <param name="Handle">The agent's handle; null for a person.</param>
/// <param name="Plate">The agent's plate (<c>PRL-AGT-…</c>); null for a person.</param>
/// <param name="DisplayName">The agent's display name, or the person's name; null when there is none.</param>
/// <param name="WorkspaceId">
/// The workspace the member comes from: an agent's owner workspace; for a person, the room's workspace, or the invited
/// agent's workspace for an owner who accepted an agent's invitation; null for a person invited by email.
/// </param>
/// <param name="JoinedAt">When the member joined the room (RFC 3339 UTC).</param>
public sealed record RoomMemberView(
    string Id, string Kind, string Role, string? Handle, string? Plate, string? DisplayName, string? WorkspaceId, DateTimeOffset JoinedAt);

/// <summary>An invitation into a room, as <c>GET /v1/invites</c> lists it and inside <see cref="RoomInviteCreated"/>.</summary>
/// <param name="Id">The invitation's id (<c>inv_…</c>).</param>
/// <param name="RoomId">The room it invites into (<c>room_…</c>).</param>
/// <param name="RoomName">That room's name.</param>
/// <param name="Kind"><c>agent_plate</c> (an agent; its owner accepts) or <c>human_email</c> (a person).</param>
/// <param name="Target">The invited agent's plate, or the invited email address (normalised).</param>
/// <param name="Status"><c>pending</c>, <c>accepted</c> or <c>declined</c>; the routes show only pending ones.</param>
/// <param name="InvitedBy">The room admin who invited.</param>
/// <param name="CreatedAt">When it was made (RFC 3339 UTC).</param>
/// <param name="ExpiresAt">When it lapses unused (RFC 3339 UTC): 7 days after <paramref name="CreatedAt"/> by default.</param>
public sealed record RoomInviteView(
    string Id, string RoomId, string RoomName, string Kind, string Target, string Status, ActorRef InvitedBy, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

/// <summary>The answer of <c>POST /v1/rooms/{id}/invites</c> (201): <c>{invite}</c>.</summary>
/// <param name="Invite">The new invitation, <c>pending</c>.</param>
public sealed record RoomInviteCreated(RoomInviteView Invite);

/// <summary>The answer of <c>POST /v1/invites/{id}/accept</c>: <c>{room}</c>.</summary>
/// <param name="Room">The room joined, as it is after the acceptance (its <c>kind</c> may now be <c>cross_owner</c>).</param>
public sealed record RoomInviteAccepted(RoomView Room);

/// <summary>A message of a room's thread, as <c>POST /v1/rooms/{id}/messages</c> (201) answers it and inside <see cref="RoomHistoryPage"/>.</summary>
/// <param name="Id">The message's id (<c>rmsg_…</c>).</param>
/// <param name="RoomId">Its room (<c>room_…</c>).</param>
/// <param name="Seq">Its number in the room's thread: 1, 2, 3… in posting order.</param>
/// <param name="Sender">Who posted it: a person or an agent.</param>
/// <param name="Body">The text (at most 32 KiB of UTF-8).</param>
/// <param name="Mentions">The agents it mentions, in the order given, without repeats; empty for none.</param>
/// <param name="ParentId">The message it answers (<c>rmsg_…</c>); null for a top-level message.</param>
/// <param name="CreatedAt">When it was posted (RFC 3339 UTC).</param>
public sealed record RoomMessageView(
    string Id, string RoomId, long Seq, ActorRef Sender, string Body, IReadOnlyList<ActorRef> Mentions, string? ParentId, DateTimeOffset CreatedAt);

/// <summary>The answer of <c>GET /v1/rooms/{id}/messages?limit&amp;before_seq|after_seq</c> (and the MCP tool <c>read_room</c>).</summary>
/// <param name="Data">The messages, ascending by <c>seq</c>: the latest <c>limit</c> (default 50, at most 200), or those before or after the seq given.</param>
/// <param name="HasMore">Whether more messages lie beyond this page in the direction read (older with <c>before_seq</c> or neither, newer with <c>after_seq</c>).</param>
public sealed record RoomHistoryPage(IReadOnlyList<RoomMessageView> Data, bool HasMore);

/// <summary>
/// An unacknowledged mention of the calling agent, as <c>GET /v1/mentions</c> (and the MCP tool <c>check_mentions</c>)
/// lists it, oldest first.
/// </summary>
/// <param name="MentionId">The mention's id (<c>men_…</c>), to acknowledge it with.</param>
/// <param name="RoomId">The room it happened in (<c>room_…</c>).</param>
/// <param name="MessageId">The message that mentions the agent (<c>rmsg_…</c>).</param>
/// <param name="Seq">That message's <c>seq</c> in the room (what <c>last_mention_seq</c> and <c>since_seq</c> compare with).</param>
/// <param name="From">Who wrote the message.</param>
/// <param name="Excerpt">The message's first 200 characters, with <c>…</c> appended when it is longer.</param>
/// <param name="TaskId">The task (<c>task_…</c>) when the mention announces an assignment to the agent; else null.</param>
public sealed record MentionView(string MentionId, string RoomId, string MessageId, long Seq, ActorRef From, string Excerpt, string? TaskId);

/// <summary>The answer of <c>POST /v1/mentions/ack</c>: <c>{acked}</c>.</summary>
/// <param name="Acked">How many mentions this request acknowledged; mentions acknowledged before, or not the caller's, count 0.</param>
public sealed record MentionsAcked(long Acked);

/// <summary>A task's live lease (<c>claim</c> in <see cref="TaskView"/>).</summary>
/// <param name="Holder">The agent holding the lease.</param>
/// <param name="InstanceId">The holder's instance (the claim's <c>instance_id</c>, <c>default</c> when none was given).</param>
/// <param name="ExpiresAt">When the lease expires unless renewed (RFC 3339 UTC).</param>
/// <param name="GraceUntil">
/// When the lease lapses (RFC 3339 UTC): <paramref name="ExpiresAt"/> plus 10 % of the TTL, at least 120 s. Until then
/// the holder may still renew.
/// </param>
public sealed record TaskClaimView(ActorRef Holder, string InstanceId, DateTimeOffset ExpiresAt, DateTimeOffset GraceUntil);

/// <summary>What the holder reported when it set a task <c>done</c>, <c>failed</c> or <c>blocked</c> (<c>result</c> in <see cref="TaskView"/>).</summary>
/// <param name="Summary">What was done (at most 10,000 characters); null when not given.</param>
/// <param name="ResultRef">Where the result is: <c>file:&lt;path&gt;</c> or <c>msg:&lt;id&gt;</c>; null when not given.</param>
/// <param name="Artifacts">Free-form references to what was produced (at most 100); empty when none.</param>
/// <param name="Next">What should happen next (at most 10,000 characters); null when not given.</param>
public sealed record TaskResultView(string? Summary, string? ResultRef, IReadOnlyList<string> Artifacts, string? Next);

/// <summary>
/// A task of a room's board, as the task routes answer it: <c>POST /v1/rooms/{id}/tasks</c> (201), <c>GET /v1/rooms/{id}/tasks</c>,
/// <c>GET</c> and <c>PATCH /v1/tasks/{id}</c>, <c>…/release</c>, <c>…/status</c>, <c>…/accept</c>, <c>…/reject</c>.
/// </summary>
/// <param name="Id">The task's id (<c>task_…</c>).</param>
/// <param name="RoomId">Its room (<c>room_…</c>).</param>
/// <param name="Title">The title (1–200 characters).</param>
/// <param name="Detail">What to do (at most 20,000 characters); null for none.</param>
/// <param name="DefinitionOfDone">When it counts as done (at most 5,000 characters); null for none.</param>
/// <param name="Assignee">The agent assigned to it; null when unassigned (any member agent may claim it).</param>
/// <param name="Status"><c>todo</c>, <c>doing</c> (claimed), <c>done</c>, <c>blocked</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="Consent">
/// <c>auto</c> (no assignee, an agent of the room's workspace, or one the assigner's own owner owns); for an agent of
/// another workspace, following its owner's consent mode: <c>pending</c> (cannot be claimed until that owner decides),
/// <c>accepted</c> or <c>rejected</c> (then unassigned).
/// </param>
/// <param name="Order">The task's position on the board; the board lists tasks by it, ascending.</param>
/// <param name="Generation">A fencing number that goes up whenever a lease starts or ends (claim, release, lapse, finish, reassignment).</param>
/// <param name="Claim">The live lease; null when nobody holds the task.</param>
/// <param name="Result">What the holder reported when it finished the task; null when it reported nothing, before, and after a reopen.</param>
/// <param name="CreatedBy">Who created the task.</param>
/// <param name="CreatedAt">When it was created (RFC 3339 UTC).</param>
/// <param name="UpdatedAt">When it last changed (RFC 3339 UTC).</param>
public sealed record TaskView(
    string Id, string RoomId, string Title, string? Detail, string? DefinitionOfDone, ActorRef? Assignee, string Status, string Consent,
    long Order, long Generation, TaskClaimView? Claim, TaskResultView? Result, ActorRef CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A new lease: the claim token is shown once.</summary>
/// <remarks>The answer of <c>POST /v1/tasks/{id}/claim</c> (and the MCP tool <c>claim_task</c>).</remarks>
/// <param name="Task">The task, now <c>doing</c> and held by the caller.</param>
/// <param name="ClaimToken">The lease's token (<c>prl_claim_…</c>), needed to renew, release or finish; only its hash is stored.</param>
/// <param name="Generation">The task's generation under this lease.</param>
/// <param name="ExpiresAt">When the lease expires unless renewed (RFC 3339 UTC).</param>
/// <param name="GraceUntil">When the lease lapses if still not renewed (RFC 3339 UTC).</param>
public sealed record TaskClaimed(TaskView Task, string ClaimToken, long Generation, DateTimeOffset ExpiresAt, DateTimeOffset GraceUntil);

/// <summary>The answer of <c>POST /v1/tasks/{id}/renew</c> (and the MCP tool <c>renew_lease</c>): the lease extended to now + its TTL.</summary>
/// <param name="Task">The task as it is after the renewal.</param>
/// <param name="Generation">The task's generation (unchanged by a renewal).</param>
/// <param name="ExpiresAt">The lease's new expiry (RFC 3339 UTC).</param>
/// <param name="GraceUntil">The lease's new lapse time (RFC 3339 UTC).</param>
public sealed record LeaseRenewed(TaskView Task, long Generation, DateTimeOffset ExpiresAt, DateTimeOffset GraceUntil);

/// <summary>One entry of a task's append-only log, as <c>GET /v1/tasks/{id}/events</c> lists it.</summary>
/// <param name="Id">The entry's id (<c>tev_…</c>).</param>
/// <param name="TaskId">The task (<c>task_…</c>).</param>
/// <param name="Type">
/// <c>created</c>, <c>updated</c>, <c>claimed</c>, <c>renewed</c>, <c>released</c>, <c>lapsed</c>, <c>status_changed</c>,
/// <c>accepted</c>, <c>rejected</c> or <c>stale_rejected</c>.
/// </param>
/// <param name="Actor">Who made the change; null when the server did (a lease that lapsed).</param>
/// <param name="Details">The entry's details as a JSON object (e.g. <c>instance_id</c>, <c>generation</c>, <c>from</c>, <c>to</c>, <c>reason</c>); null when none.</param>
/// <param name="CreatedAt">When it happened (RFC 3339 UTC).</param>
public sealed record TaskEventView(string Id, string TaskId, string Type, ActorRef? Actor, JsonElement? Details, DateTimeOffset CreatedAt);

/// <summary>The answer of <c>PUT /v1/rooms/{id}/consent</c>: a workspace's consent mode for its agents in a room.</summary>
/// <param name="RoomId">The room (<c>room_…</c>).</param>
/// <param name="WorkspaceId">The workspace whose mode this is (<c>ws_…</c>).</param>
/// <param name="Mode"><c>task_by_task</c>, <c>approve_all</c>, <c>trust_collaborator</c> or <c>trust_room</c>.</param>
/// <param name="Collaborator">With <c>trust_collaborator</c>, the trusted workspace (<c>ws_…</c>); otherwise null.</param>
public sealed record ConsentView(string RoomId, string WorkspaceId, string Mode, string? Collaborator);

/// <summary>
/// One version of a room file, as <c>PUT /v1/rooms/{id}/files/{path}</c> (201) answers it and <c>GET /v1/rooms/{id}/files</c>
/// lists it (the latest version of each path).
/// </summary>
/// <param name="Path">The file's path in the room.</param>
/// <param name="Version">The version number: 1 for the first write of a path, then 2, 3…; it restarts at 1 after the path is deleted.</param>
/// <param name="Size">The size in bytes (declared, for an upload).</param>
/// <param name="Sha256">The SHA-256 of the bytes, 64 lower-case hexadecimal characters.</param>
/// <param name="ContentType">The media type the file is served with.</param>
/// <param name="Status"><c>pending_upload</c>, <c>uploaded</c> or <c>quarantined</c> (the bytes did not match); only <c>uploaded</c> files can be read.</param>
/// <param name="UpdatedBy">Who wrote this version.</param>
/// <param name="UpdatedAt">When this version was written (RFC 3339 UTC).</param>
/// <param name="FileId">The stored file behind this version (<c>file_…</c>), for <c>/v1/files/{id}</c>.</param>
public sealed record RoomFileView(
    string Path, long Version, long Size, string Sha256, string ContentType, string Status, ActorRef UpdatedBy, DateTimeOffset UpdatedAt, string FileId);

/// <summary>The answer of <c>POST /v1/rooms/{id}/uploads</c> (201): where to send a large file's bytes.</summary>
/// <param name="FileId">The stored file (<c>file_…</c>), <c>pending_upload</c> until its bytes arrive; <c>POST /v1/files/{id}/complete</c> tells the outcome.</param>
/// <param name="UploadUrl">The signed URL to <c>PUT</c> the bytes to, without an <c>Authorization</c> header; single use.</param>
/// <param name="ExpiresIn">Seconds until <paramref name="UploadUrl"/> expires (900 by default).</param>
/// <param name="Path">The file's path in the room.</param>
/// <param name="Version">The version this upload becomes.</param>
public sealed record RoomUploadCreated(string FileId, string UploadUrl, int ExpiresIn, string Path, long Version);
