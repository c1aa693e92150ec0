namespace Parley.Contracts.Identity;

/// <summary>Who did something: one shape wherever a response names an actor.</summary>
public sealed record ActorRef(string Kind, string Id, string? Handle = null, string? Plate = null, string? DisplayName = null);

// Requests keep their members nullable: the server reports a missing field as VALIDATION_ERROR by name.

public sealed record SignupRequest(string? Email, string? Password, string? Name);
public sealed record LoginRequest(string? Email, string? Password);
public sealed record RefreshRequest(string? RefreshToken);
public sealed record LogoutRequest(bool? Everywhere);
public sealed record CodeRequest(string? Code);
public sealed record EmailRequest(string? Email);
public sealed record PasswordResetVerifyRequest(string? PendingId, string? Code, string? NewPassword);
public sealed record AcceptTermsRequest(string? Version);
public sealed record CreateTokenRequest(string? Name, int? ExpiresInDays);
public sealed record CreateWorkspaceRequest(string? Name);
public sealed record UpdateWorkspaceRequest(string? Name);
public sealed record InviteMemberRequest(string? Email, string? Role);
public sealed record UpdateMemberRequest(string? Role);
public sealed record CreateAgentRequest(string? Handle, string? DisplayName, string? Description, IReadOnlyList<string>? Scopes);
public sealed record UpdateAgentRequest(string? DisplayName, string? Description, string? Paused, string? InboxMode, string? GroupInvitePolicy, bool? Listed);
public sealed record CreateKeyRequest(string? Kind, string? Name, IReadOnlyList<string>? Scopes);
public sealed record RegisterRequest(string? Email, string? Handle, string? DisplayName, string? Description);
public sealed record PendingCodeRequest(string? PendingId, string? Code);
public sealed record ClaimRequest(string? ApiKey);
public sealed record PassportRequest(IReadOnlyList<string>? Scopes);
public sealed record AdminReasonRequest(string? Reason);

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
    string Paused, string InboxMode, string GroupInvitePolicy, bool Listed, bool IsDefault, DateTimeOffset CreatedAt);

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

