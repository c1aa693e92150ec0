using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Rooms;

// Requests keep their members nullable: the server reports a missing field as VALIDATION_ERROR by name.
// Wherever a request names an agent it accepts the agent's id, handle or plate.

public sealed record CreateRoomRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null, [property: StringLength(500)] string? Topic = null,
    string? WorkspaceId = null);

public sealed record UpdateRoomRequest(
    [property: StringLength(100, MinimumLength = 1)] string? Name = null, [property: StringLength(500)] string? Topic = null,
    [property: AllowedValues("active", "paused", "stopped", "archived")] string? Status = null);

/// <summary>Exactly one of <c>agent_id</c> and <c>account_id</c>; <c>role</c> (people only) defaults to <c>member</c>.</summary>
public sealed record AddRoomMemberRequest(string? AgentId = null, string? AccountId = null, [property: AllowedValues("admin", "member")] string? Role = null);

public sealed record UpdateRoomMemberRequest([property: Required, AllowedValues("admin", "member")] string? Role = null);

/// <summary><c>kind</c>: <c>agent_plate</c> (target: the agent's plate, handle or id) or <c>human_email</c> (target: an email).</summary>
public sealed record CreateRoomInviteRequest([property: Required, AllowedValues("agent_plate", "human_email")] string? Kind = null, [property: Required] string? Target = null);

public sealed record PostRoomMessageRequest([property: Required] string? Body = null, [property: MaxLength(50)] IReadOnlyList<string>? Mentions = null, string? ParentId = null);

/// <summary>Either <c>mention_ids</c>, or <c>room</c> with <c>last_mention_seq</c>.</summary>
public sealed record AckMentionsRequest([property: MinLength(1), MaxLength(500)] IReadOnlyList<string>? MentionIds = null, string? Room = null, long? LastMentionSeq = null);

public sealed record CreateTaskRequest(
    [property: Required, StringLength(200, MinimumLength = 1)] string? Title = null, [property: StringLength(20_000)] string? Detail = null,
    [property: StringLength(5_000)] string? DefinitionOfDone = null, string? Assignee = null, long? Order = null);

/// <summary>
/// Absent members stay as they are. <c>assignee</c>: an agent (id, handle or plate); <c>null</c> or <c>""</c> unassigns.
/// </summary>
public sealed record UpdateTaskRequest(
    [property: StringLength(200, MinimumLength = 1)] string? Title = null, [property: StringLength(20_000)] string? Detail = null,
    [property: StringLength(5_000)] string? DefinitionOfDone = null, long? Order = null)
{
    /// <summary>Undefined when absent (leave as is, and not written by a client); a JSON null or "" unassigns.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public JsonElement Assignee { get; init; }
}

public sealed record ClaimTaskRequest([property: StringLength(128, MinimumLength = 1)] string? InstanceId = null, [property: Range(300, 7200)] int? TtlSeconds = null);

public sealed record ClaimTokenRequest([property: Required] string? ClaimToken = null);

/// <summary>
/// <c>status</c>: <c>done</c>, <c>failed</c>, <c>blocked</c> (the holder, with its token), <c>cancelled</c> or <c>todo</c>
/// (reopen; people and the task's creator). <c>result_ref</c> is <c>file:&lt;path&gt;</c> or <c>msg:&lt;id&gt;</c>.
/// </summary>
public sealed record TaskStatusRequest(
    [property: Required, AllowedValues("done", "failed", "blocked", "cancelled", "todo")] string? Status = null, string? ClaimToken = null,
    [property: StringLength(10_000)] string? Summary = null, string? ResultRef = null, [property: MaxLength(100)] IReadOnlyList<string>? Artifacts = null,
    [property: StringLength(10_000)] string? Next = null, [property: StringLength(1_000)] string? Reason = null);

public sealed record RejectTaskRequest([property: StringLength(1000)] string? Reason = null);

/// <summary>
/// <c>mode</c>: <c>task_by_task</c>, <c>approve_all</c>, <c>trust_collaborator</c> (with <c>collaborator</c>, a workspace id)
/// or <c>trust_room</c>. <c>workspace_id</c> names the caller's workspace when they have several.
/// </summary>
public sealed record ConsentRequest(
    [property: Required, AllowedValues("task_by_task", "approve_all", "trust_collaborator", "trust_room")] string? Mode = null, string? Collaborator = null,
    string? WorkspaceId = null);

/// <summary><c>encoding</c>: <c>utf-8</c> (default) or <c>base64</c>.</summary>
public sealed record WriteRoomFileRequest(
    [property: Required] string? Content = null, [property: AllowedValues("utf-8", "base64")] string? Encoding = null, [property: StringLength(200), RegularExpression(Patterns.MediaType)] string? ContentType = null);

public sealed record CreateRoomUploadRequest(
    [property: Required] string? Path = null, [property: Required, StringLength(200), RegularExpression(Patterns.MediaType)] string? ContentType = null,
    [property: Required, Range(0, long.MaxValue)] long? SizeBytes = null, [property: Required, RegularExpression(Patterns.Sha256)] string? Sha256 = null);

// Responses

public sealed record RoomView(
    string Id, string Name, string? Topic, string Status, string Kind, string OwnerWorkspaceId, ActorRef CreatedBy, DateTimeOffset CreatedAt);

/// <summary>A person (<c>kind: account</c>, role <c>admin</c> or <c>member</c>) or an agent (role <c>member</c>).</summary>
public sealed record RoomMemberView(
    string Id, string Kind, string Role, string? Handle, string? Plate, string? DisplayName, string? WorkspaceId, DateTimeOffset JoinedAt);

public sealed record RoomInviteView(
    string Id, string RoomId, string RoomName, string Kind, string Target, string Status, ActorRef InvitedBy, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

public sealed record RoomInviteCreated(RoomInviteView Invite);

public sealed record RoomInviteAccepted(RoomView Room);

public sealed record RoomMessageView(
    string Id, string RoomId, long Seq, ActorRef Sender, string Body, IReadOnlyList<ActorRef> Mentions, string? ParentId, DateTimeOffset CreatedAt);

public sealed record RoomHistoryPage(IReadOnlyList<RoomMessageView> Data, bool HasMore);

public sealed record MentionView(string MentionId, string RoomId, string MessageId, long Seq, ActorRef From, string Excerpt, string? TaskId);

public sealed record MentionsAcked(long Acked);

public sealed record TaskClaimView(ActorRef Holder, string InstanceId, DateTimeOffset ExpiresAt, DateTimeOffset GraceUntil);

public sealed record TaskResultView(string? Summary, string? ResultRef, IReadOnlyList<string> Artifacts, string? Next);

public sealed record TaskView(
    string Id, string RoomId, string Title, string? Detail, string? DefinitionOfDone, ActorRef? Assignee, string Status, string Consent,
    long Order, long Generation, TaskClaimView? Claim, TaskResultView? Result, ActorRef CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A new lease: the claim token is shown once.</summary>
public sealed record TaskClaimed(TaskView Task, string ClaimToken, long Generation, DateTimeOffset ExpiresAt, DateTimeOffset GraceUntil);

public sealed record LeaseRenewed(TaskView Task, long Generation, DateTimeOffset ExpiresAt, DateTimeOffset GraceUntil);

public sealed record TaskEventView(string Id, string TaskId, string Type, ActorRef? Actor, JsonElement? Details, DateTimeOffset CreatedAt);

public sealed record ConsentView(string RoomId, string WorkspaceId, string Mode, string? Collaborator);

public sealed record RoomFileView(
    string Path, long Version, long Size, string Sha256, string ContentType, string Status, ActorRef UpdatedBy, DateTimeOffset UpdatedAt, string FileId);

public sealed record RoomUploadCreated(string FileId, string UploadUrl, int ExpiresIn, string Path, long Version);
