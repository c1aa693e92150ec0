using System.ComponentModel.DataAnnotations;

namespace Parley.Contracts.Identity;

/// <summary>Who did something: one shape wherever a response names an actor.</summary>
public sealed record ActorRef(string Kind, string Id, string? Handle = null, string? Plate = null, string? DisplayName = null);

// Requests keep their members nullable: the server reports a missing field as VALIDATION_ERROR by name.

public sealed record SignupRequest(
    [property: Required, StringLength(254)] string? Email = null, [property: Required, StringLength(200, MinimumLength = 10)] string? Password = null,
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null);
public sealed record LoginRequest([property: Required] string? Email = null, [property: Required] string? Password = null);
public sealed record RefreshRequest([property: Required] string? RefreshToken = null);
public sealed record LogoutRequest(bool? Everywhere = null);
public sealed record CodeRequest([property: Required] string? Code = null);
public sealed record EmailRequest([property: Required] string? Email = null);
public sealed record PasswordResetVerifyRequest(
    [property: Required] string? PendingId = null, [property: Required] string? Code = null, [property: Required, MinLength(10)] string? NewPassword = null);
public sealed record AcceptTermsRequest([property: Required] string? Version = null);
public sealed record CreateTokenRequest([property: Required, StringLength(100, MinimumLength = 1)] string? Name = null, [property: Range(1, 365)] int? ExpiresInDays = null);
public sealed record CreateWorkspaceRequest([property: Required, StringLength(100, MinimumLength = 1)] string? Name = null);
public sealed record UpdateWorkspaceRequest([property: StringLength(100, MinimumLength = 1)] string? Name = null);
public sealed record InviteMemberRequest([property: Required, StringLength(254)] string? Email = null, [property: Required, AllowedValues("admin", "member")] string? Role = null);
public sealed record UpdateMemberRequest([property: Required, AllowedValues("admin", "member")] string? Role = null);
public sealed record CreateAgentRequest(
    [property: Required, RegularExpression(Patterns.Handle)] string? Handle = null, [property: StringLength(100)] string? DisplayName = null,
    [property: StringLength(500)] string? Description = null, [property: MinLength(1)] IReadOnlyList<string>? Scopes = null);
public sealed record UpdateAgentRequest(
    [property: StringLength(100)] string? DisplayName = null, [property: StringLength(500)] string? Description = null,
    [property: AllowedValues("none", "send", "full")] string? Paused = null, [property: AllowedValues("open", "contacts_only")] string? InboxMode = null,
    [property: AllowedValues("open", "contacts_only")] string? GroupInvitePolicy = null, bool? Listed = null,
    [property: MaxLength(3)] IReadOnlyList<string>? WakeOn = null);
public sealed record CreateKeyRequest(
    [property: Required, AllowedValues("secret", "publishable")] string? Kind = null, [property: StringLength(100)] string? Name = null,
    [property: MinLength(1)] IReadOnlyList<string>? Scopes = null);
public sealed record RegisterRequest(
    [property: Required, StringLength(254)] string? Email = null, [property: Required, RegularExpression(Patterns.Handle)] string? Handle = null,
    [property: StringLength(100)] string? DisplayName = null, [property: StringLength(500)] string? Description = null);
public sealed record PendingCodeRequest([property: Required] string? PendingId = null, [property: Required] string? Code = null);
public sealed record ClaimRequest([property: Required] string? ApiKey = null);
public sealed record PassportRequest([property: MinLength(1)] IReadOnlyList<string>? Scopes = null);
public sealed record AdminReasonRequest([property: StringLength(500)] string? Reason = null);

public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

public sealed record AccountView(string Id, string Email, string Name, bool EmailVerified, bool IsAdmin, string? TermsAccepted, DateTimeOffset CreatedAt);

public sealed record WorkspaceView(string Id, string Name, string Plan, string OwnerAccountId, DateTimeOffset CreatedAt);

public sealed record WorkspaceWithRole(string Id, string Name, string Plan, string Role);

public sealed record SignupResponse(AccountView Account, WorkspaceView Workspace, string AccessToken, string RefreshToken, int ExpiresIn);

public sealed record MeResponse(AccountView Account, IReadOnlyList<WorkspaceWithRole> Workspaces);

public sealed record PersonalTokenView(string Id, string Name, string Last4, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt);

public sealed record PersonalTokenCreated(PersonalTokenView Token, string Secret);

public sealed record MemberView(string AccountId, string Email, string Name, string Role, DateTimeOffset JoinedAt);

public sealed record WorkspaceInviteView(string Id, string WorkspaceId, string WorkspaceName, string Email, string Role, string Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public sealed record InviteCreated(WorkspaceInviteView Invite);

public sealed record AgentView(
    string Id, string Handle, string Plate, string? DisplayName, string? Description, string? OwnerWorkspaceId, string Status,
    string Paused, string InboxMode, string GroupInvitePolicy, bool Listed, bool IsDefault, DateTimeOffset CreatedAt)
{
    /// <summary>What wakes the agent on its owner's devices: <c>mention</c>, <c>task_assigned</c>, <c>direct_message</c>.</summary>
    public IReadOnlyList<string> WakeOn { get; init; } = [];
}

public sealed record PublicAgentView(string Handle, string Plate, string? DisplayName, string? Description, DateTimeOffset CreatedAt);

public sealed record KeyView(string Id, string Kind, string? Name, IReadOnlyList<string> Scopes, string Prefix, string Last4, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

public sealed record AgentCreated(AgentView Agent, string ApiKey);

public sealed record KeyCreated(KeyView Key, string ApiKey);

public sealed record PendingCreated(string PendingId, int ExpiresIn);

public sealed record PendingOnly(string PendingId);

public sealed record RecoveredKey(string Handle, string ApiKey);

public sealed record RotatedKey(string ApiKey);

public sealed record PassportIssued(string Passport, DateTimeOffset ExpiresAt);

public sealed record Page<T>(IReadOnlyList<T> Data, string? NextCursor);

