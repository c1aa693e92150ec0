using Parley.Contracts.Identity;

namespace Parley.Contracts.Messaging;

public sealed record CreateGroupRequest(string? Name, string? Description, IReadOnlyList<string>? MemberHandles);

public sealed record UpdateGroupRequest(string? Name, string? Description);

public sealed record HandleRequest(string? Handle);

public sealed record GroupMemberView(ActorRef Agent, string Role, DateTimeOffset JoinedAt);

public sealed record GroupView(
    string Id, string Name, string? Description, ActorRef CreatedBy, DateTimeOffset CreatedAt, int MemberCount,
    IReadOnlyList<GroupMemberView> Members, string? YourRole);

public sealed record AddResult(string Handle, string Outcome, string? Code = null);

public sealed record GroupCreated(GroupView Group, IReadOnlyList<AddResult> AddResults);

public sealed record LeaveResult(string GroupId, string? PromotedHandle);

public sealed record GroupDeletedResult(string GroupId, DateTimeOffset DeletedAt);

public sealed record GroupInviteView(string Id, string GroupId, string GroupName, ActorRef From, DateTimeOffset CreatedAt);

public sealed record UploadRequest(string? Filename, string? ContentType, long? SizeBytes, string? Sha256, string? To, string? ConversationId);

public sealed record UploadCreated(string AttachmentId, string UploadUrl, int ExpiresIn);

public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? Events);

public sealed record WebhookView(string Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt);

public sealed record WebhookCreated(string Id, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset CreatedAt);

public sealed record CreateMuteRequest(string? Handle, string? ConversationId, DateTimeOffset? MutedUntil);

public sealed record MuteView(string Id, string? Handle, string? ConversationId, DateTimeOffset? MutedUntil, DateTimeOffset CreatedAt);

public sealed record PresenceRequest(string? Status, string? CustomMessage);

public sealed record PresenceView(string Handle, string Status, string? CustomMessage, DateTimeOffset? UpdatedAt);

public sealed record ReportRequest(string? Reason);

public sealed record BlockView(string Handle, string Plate, DateTimeOffset BlockedAt);
