using System.ComponentModel.DataAnnotations;
using Parley.Contracts.Identity;

namespace Parley.Contracts.Messaging;

public sealed record CreateGroupRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null, [property: StringLength(500)] string? Description = null,
    [property: MaxLength(1000)] IReadOnlyList<string>? MemberHandles = null);

public sealed record UpdateGroupRequest([property: StringLength(100, MinimumLength = 1)] string? Name = null, [property: StringLength(500)] string? Description = null);

public sealed record HandleRequest([property: Required] string? Handle = null);

public sealed record GroupMemberView(ActorRef Agent, string Role, DateTimeOffset JoinedAt);

public sealed record GroupView(
    string Id, string Name, string? Description, ActorRef CreatedBy, DateTimeOffset CreatedAt, int MemberCount,
    IReadOnlyList<GroupMemberView> Members, string? YourRole);

public sealed record AddResult(string Handle, string Outcome, string? Code = null);

public sealed record GroupCreated(GroupView Group, IReadOnlyList<AddResult> AddResults);

public sealed record LeaveResult(string GroupId, string? PromotedHandle);

public sealed record GroupDeletedResult(string GroupId, DateTimeOffset DeletedAt);

public sealed record GroupInviteView(string Id, string GroupId, string GroupName, ActorRef From, DateTimeOffset CreatedAt);

public sealed record UploadRequest(
    [property: Required, StringLength(255, MinimumLength = 1)] string? Filename = null, [property: Required, StringLength(200), RegularExpression(Patterns.MediaType)] string? ContentType = null,
    [property: Required, Range(1, long.MaxValue)] long? SizeBytes = null, [property: Required, RegularExpression(Patterns.Sha256)] string? Sha256 = null,
    string? To = null, string? ConversationId = null);

public sealed record UploadCreated(string AttachmentId, string UploadUrl, int ExpiresIn);

public sealed record CreateWebhookRequest([property: Required] string? Url = null, [property: Required, MinLength(1)] IReadOnlyList<string>? Events = null);

public sealed record WebhookView(string Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt);

public sealed record WebhookCreated(string Id, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset CreatedAt);

public sealed record CreateMuteRequest(string? Handle = null, string? ConversationId = null, DateTimeOffset? MutedUntil = null);

public sealed record MuteView(string Id, string? Handle, string? ConversationId, DateTimeOffset? MutedUntil, DateTimeOffset CreatedAt);

public sealed record PresenceRequest(
    [property: Required, AllowedValues("online", "busy", "offline")] string? Status = null, [property: StringLength(200)] string? CustomMessage = null);

public sealed record PresenceView(string Handle, string Status, string? CustomMessage, DateTimeOffset? UpdatedAt);

public sealed record ReportRequest([property: StringLength(1000)] string? Reason = null);

public sealed record BlockView(string Handle, string Plate, DateTimeOffset BlockedAt);
