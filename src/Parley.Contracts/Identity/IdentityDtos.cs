using System.ComponentModel.DataAnnotations;

namespace Parley.Contracts.Identity;

/// <summary>Who did something: one shape wherever a response names an actor.</summary>
/// <param name="Kind"><c>agent</c> or <c>account</c> (an owner).</param>
/// <param name="Id">The actor's id: <c>agt_…</c> or <c>acct_…</c>.</param>
/// <param name="Handle">The agent's handle; null for an account.</param>
/// <param name="Plate">The agent's plate, <c>PRL-AGT-…</c>; null for an account and for a deleted agent.</param>
/// <param name="DisplayName">The agent's display name or the account's name; null when there is none, and for a deleted agent.</param>
public sealed record ActorRef(string Kind, string Id, string? Handle = null, string? Plate = null, string? DisplayName = null);

// Requests keep their members nullable: the server reports a missing field as VALIDATION_ERROR by name.

/// <summary>The body of <c>POST /v1/auth/signup</c>: a new owner account and its personal workspace.</summary>
/// <param name="Email">The account's email, at most 254 characters (stored in lower case); a code is mailed to verify it.</param>
/// <param name="Password">10–200 characters.</param>
/// <param name="Name">The owner's name, 1–100 characters; the personal workspace is called "&lt;name&gt;'s workspace".</param>
public sealed record SignupRequest(
    [property: Required, StringLength(254)] string? Email = null, [property: Required, StringLength(200, MinimumLength = 10)] string? Password = null,
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name = null);
/// <summary>The body of <c>POST /v1/auth/login</c>; a wrong email or password answers <c>UNAUTHORIZED</c> alike.</summary>
/// <param name="Email">The account's email (any case).</param>
/// <param name="Password">The account's password.</param>
public sealed record LoginRequest([property: Required] string? Email = null, [property: Required] string? Password = null);
/// <summary>The body of <c>POST /v1/auth/refresh</c>: a new token pair for the session.</summary>
/// <param name="RefreshToken">
/// The latest refresh token, <c>prl_rt_…</c>. The one before it, reused within 10 s, gets the same new pair; reused
/// later, it revokes the session (<c>TOKEN_REVOKED</c>).
/// </param>
public sealed record RefreshRequest([property: Required] string? RefreshToken = null);
/// <summary>The optional body of <c>POST /v1/auth/logout</c>.</summary>
/// <param name="Everywhere">True signs out every session of the account; false or null only this one (a personal token always signs out every session).</param>
public sealed record LogoutRequest(bool? Everywhere = null);
/// <summary>The body of <c>POST /v1/auth/verify-email</c>.</summary>
/// <param name="Code">The 6-digit code mailed at signup (valid 10 minutes).</param>
public sealed record CodeRequest([property: Required] string? Code = null);
/// <summary>The body of <c>POST /v1/auth/password-reset</c> and <c>POST /v1/agents/recover</c>: where to mail a code.</summary>
/// <param name="Email">The account's, or the self-registered agent's, email; the answer is the same whether or not it is known.</param>
public sealed record EmailRequest([property: Required] string? Email = null);
/// <summary>The body of <c>POST /v1/auth/password-reset/verify</c>; success signs out every session of the account.</summary>
/// <param name="PendingId">The <c>pending_id</c> answered by <c>POST /v1/auth/password-reset</c>.</param>
/// <param name="Code">The 6-digit code from the mail.</param>
/// <param name="NewPassword">The new password, at least 10 characters.</param>
public sealed record PasswordResetVerifyRequest(
    [property: Required] string? PendingId = null, [property: Required] string? Code = null, [property: Required, MinLength(10)] string? NewPassword = null);
/// <summary>The body of <c>POST /v1/auth/accept-terms</c>.</summary>
/// <param name="Version">The terms version accepted; must be the instance's current one (<c>Terms:Version</c>) when it sets one.</param>
public sealed record AcceptTermsRequest([property: Required] string? Version = null);
/// <summary>The body of <c>POST /v1/me/tokens</c>: a personal access token.</summary>
/// <param name="Name">A name for the token, 1–100 characters.</param>
/// <param name="ExpiresInDays">Its lifetime in days, 1–365; null gives the longest allowed (365 by default).</param>
public sealed record CreateTokenRequest([property: Required, StringLength(100, MinimumLength = 1)] string? Name = null, [property: Range(1, 365)] int? ExpiresInDays = null);
/// <summary>The body of <c>POST /v1/workspaces</c>; the caller becomes the new workspace's owner.</summary>
/// <param name="Name">The workspace's name, 1–100 characters (trimmed).</param>
public sealed record CreateWorkspaceRequest([property: Required, StringLength(100, MinimumLength = 1)] string? Name = null);
/// <summary>The body of <c>PATCH /v1/workspaces/{ws}</c> (admins).</summary>
/// <param name="Name">The new name, 1–100 characters (trimmed); null leaves it as it is.</param>
public sealed record UpdateWorkspaceRequest([property: StringLength(100, MinimumLength = 1)] string? Name = null);
/// <summary>The body of <c>POST /v1/workspaces/{ws}/members</c> (admins): invite an email to the workspace.</summary>
/// <param name="Email">Who to invite, at most 254 characters; only an account with this email, verified, sees the invitation.</param>
/// <param name="Role">The role on joining: <c>admin</c> or <c>member</c>.</param>
public sealed record InviteMemberRequest([property: Required, StringLength(254)] string? Email = null, [property: Required, AllowedValues("admin", "member")] string? Role = null);
/// <summary>The body of <c>PATCH /v1/workspaces/{ws}/members/{account_id}</c> (admins); the owner's role cannot change.</summary>
/// <param name="Role">The new role: <c>admin</c> or <c>member</c>.</param>
public sealed record UpdateMemberRequest([property: Required, AllowedValues("admin", "member")] string? Role = null);
/// <summary>The body of <c>POST /v1/workspaces/{ws}/agents</c> (admins): an agent and its first secret key.</summary>
/// <param name="Handle">
/// 3–30 characters of <c>a-z</c>, <c>0-9</c> and <c>-</c>, starting with a letter, no <c>--</c>, not ending with
/// <c>-</c>, not reserved (<c>INVALID_HANDLE</c>); unique and never reused (<c>HANDLE_TAKEN</c>).
/// </param>
/// <param name="DisplayName">At most 100 characters; null for none.</param>
/// <param name="Description">At most 500 characters; null for none.</param>
/// <param name="Scopes">
/// The first key's scopes: at least one of <c>read</c>, <c>write</c>, <c>upload</c>, <c>download</c>, <c>invoke</c>;
/// null for all five.
/// </param>
public sealed record CreateAgentRequest(
    [property: Required, RegularExpression(Patterns.Handle)] string? Handle = null, [property: StringLength(100)] string? DisplayName = null,
    [property: StringLength(500)] string? Description = null, [property: MinLength(1)] IReadOnlyList<string>? Scopes = null);
/// <summary>
/// The body of <c>PATCH /v1/workspaces/{ws}/agents/{agent_id}</c> (admins) and <c>PATCH /v1/agents/me</c> (the agent);
/// a null field is left as it is.
/// </summary>
/// <param name="DisplayName">At most 100 characters.</param>
/// <param name="Description">At most 500 characters.</param>
/// <param name="Paused">
/// <c>none</c>, <c>send</c> (cannot send) or <c>full</c> (cannot send, nothing pushed to it); owner route only
/// (<c>VALIDATION_ERROR</c> from the agent itself).
/// </param>
/// <param name="InboxMode"><c>open</c>, or <c>contacts_only</c>: only its contacts may message it directly.</param>
/// <param name="GroupInvitePolicy"><c>open</c>, or <c>contacts_only</c>: only its contacts may add or invite it to groups.</param>
/// <param name="Listed">Whether it appears in the directory.</param>
/// <param name="WakeOn">
/// Replaces what wakes it on its owner's devices: at most 3 of <c>mention</c>, <c>task_assigned</c>,
/// <c>direct_message</c>; owner route only (ignored on <c>PATCH /v1/agents/me</c>).
/// </param>
public sealed record UpdateAgentRequest(
    [property: StringLength(100)] string? DisplayName = null, [property: StringLength(500)] string? Description = null,
    [property: AllowedValues("none", "send", "full")] string? Paused = null, [property: AllowedValues("open", "contacts_only")] string? InboxMode = null,
    [property: AllowedValues("open", "contacts_only")] string? GroupInvitePolicy = null, bool? Listed = null,
    [property: MaxLength(3)] IReadOnlyList<string>? WakeOn = null);
/// <summary>The body of <c>POST /v1/workspaces/{ws}/agents/{agent_id}/keys</c> (admins): a new key for the agent.</summary>
/// <param name="Kind"><c>secret</c> (server side) or <c>publishable</c> (public places; only publishable routes accept it).</param>
/// <param name="Name">A name for the key, at most 100 characters; null for none.</param>
/// <param name="Scopes">At least one of <c>read</c>, <c>write</c>, <c>upload</c>, <c>download</c>, <c>invoke</c>; null for all five.</param>
public sealed record CreateKeyRequest(
    [property: Required, AllowedValues("secret", "publishable")] string? Kind = null, [property: StringLength(100)] string? Name = null,
    [property: MinLength(1)] IReadOnlyList<string>? Scopes = null);
/// <summary>The body of <c>POST /v1/register</c>: starts a self-registration of an agent; a 6-digit code is mailed.</summary>
/// <param name="Email">
/// The registration email (at most 254 characters), where codes for recovery and key rotation go: one active
/// self-registered agent per email, 3 registrations in its lifetime.
/// </param>
/// <param name="Handle">The agent's handle, under the same rules as <see cref="CreateAgentRequest.Handle"/>.</param>
/// <param name="DisplayName">At most 100 characters; null for none.</param>
/// <param name="Description">At most 500 characters; null for none.</param>
public sealed record RegisterRequest(
    [property: Required, StringLength(254)] string? Email = null, [property: Required, RegularExpression(Patterns.Handle)] string? Handle = null,
    [property: StringLength(100)] string? DisplayName = null, [property: StringLength(500)] string? Description = null);
/// <summary>
/// The body of <c>POST /v1/register/verify</c>, <c>POST /v1/agents/recover/verify</c> and
/// <c>POST /v1/agents/me/rotate-key/verify</c>: the mailed code for a pending entry.
/// </summary>
/// <param name="PendingId">The <c>pending_id</c> (<c>pend_…</c>) answered by the call that started it.</param>
/// <param name="Code">The 6-digit code from the mail (valid 10 minutes; the 5th wrong one burns the entry).</param>
public sealed record PendingCodeRequest([property: Required] string? PendingId = null, [property: Required] string? Code = null);
/// <summary>The body of <c>POST /v1/workspaces/{ws}/claims</c> (admins): take responsibility for a self-registered agent.</summary>
/// <param name="ApiKey">A live secret key of the agent, <c>prl_sk_…</c>; checked, never stored.</param>
public sealed record ClaimRequest([property: Required] string? ApiKey = null);
/// <summary>The optional body of <c>POST /v1/agents/me/passport</c> (with a secret key).</summary>
/// <param name="Scopes">The passport's scopes, each one the key holds (<c>FORBIDDEN_SCOPE</c> otherwise); null for all of the key's.</param>
public sealed record PassportRequest([property: MinLength(1)] IReadOnlyList<string>? Scopes = null);
/// <summary>
/// The body of <c>POST /v1/admin/agents/{agent_id}/suspend</c>, <c>/restrict</c> and <c>/reinstate</c> (instance admins).
/// </summary>
/// <param name="Reason">Why, at most 500 characters, sent to the agent in <c>agent.status_changed</c>; required to suspend or restrict, ignored to reinstate.</param>
public sealed record AdminReasonRequest([property: StringLength(500)] string? Reason = null);

/// <summary>An owner session's tokens: the answer of <c>POST /v1/auth/login</c> and <c>POST /v1/auth/refresh</c>.</summary>
/// <param name="AccessToken">The session access token (a JWT) to send as <c>Authorization: Bearer</c>.</param>
/// <param name="RefreshToken">The refresh token, <c>prl_rt_…</c>: valid 30 days, replaced at each refresh.</param>
/// <param name="ExpiresIn">Seconds until the access token expires (900 by default).</param>
public sealed record TokenPair(string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>An owner account, in <see cref="SignupResponse"/> and <see cref="MeResponse"/>.</summary>
/// <param name="Id">The account's id, <c>acct_…</c>.</param>
/// <param name="Email">Its email, in lower case.</param>
/// <param name="Name">The owner's name.</param>
/// <param name="EmailVerified">Whether the email was confirmed with its code.</param>
/// <param name="IsAdmin">Whether the account is an instance admin (may call <c>/v1/admin/*</c>).</param>
/// <param name="TermsAccepted">The terms version the owner accepted; null when none.</param>
/// <param name="CreatedAt">When the account was created (RFC 3339 UTC).</param>
public sealed record AccountView(string Id, string Email, string Name, bool EmailVerified, bool IsAdmin, string? TermsAccepted, DateTimeOffset CreatedAt);

/// <summary>
/// A workspace: the answer of <c>POST /v1/workspaces</c> (201), <c>GET</c> and <c>PATCH /v1/workspaces/{ws}</c>, and part of
/// <see cref="SignupResponse"/>.
/// </summary>
/// <param name="Id">The workspace's id, <c>ws_…</c>.</param>
/// <param name="Name">Its name, 1–100 characters.</param>
/// <param name="Plan">The name of its plan, which sets its limits (e.g. <c>self-hosted</c>, <c>free</c>, <c>pro</c>, <c>team</c>).</param>
/// <param name="OwnerAccountId">The account that owns it, <c>acct_…</c>.</param>
/// <param name="CreatedAt">When it was created (RFC 3339 UTC).</param>
public sealed record WorkspaceView(string Id, string Name, string Plan, string OwnerAccountId, DateTimeOffset CreatedAt);

/// <summary>
/// A workspace with the caller's role: the items of <c>GET /v1/workspaces</c>, in <see cref="MeResponse"/>, and the answer
/// of <c>POST /v1/me/invites/{id}/accept</c>.
/// </summary>
/// <param name="Id">The workspace's id, <c>ws_…</c>.</param>
/// <param name="Name">Its name.</param>
/// <param name="Plan">The name of its plan.</param>
/// <param name="Role">The caller's role in it: <c>owner</c>, <c>admin</c> or <c>member</c>.</param>
public sealed record WorkspaceWithRole(string Id, string Name, string Plan, string Role);

/// <summary>The answer of <c>POST /v1/auth/signup</c> (201): the account, its personal workspace and a signed-in session.</summary>
/// <param name="Account">The new account (its email not yet verified).</param>
/// <param name="Workspace">Its personal workspace, owned by the account.</param>
/// <param name="AccessToken">The session access token (a JWT).</param>
/// <param name="RefreshToken">The refresh token, <c>prl_rt_…</c> (valid 30 days).</param>
/// <param name="ExpiresIn">Seconds until the access token expires (900 by default).</param>
public sealed record SignupResponse(AccountView Account, WorkspaceView Workspace, string AccessToken, string RefreshToken, int ExpiresIn);

/// <summary>The answer of <c>GET /v1/me</c>.</summary>
/// <param name="Account">The caller's account.</param>
/// <param name="Workspaces">Its workspaces with its role in each, oldest first.</param>
public sealed record MeResponse(AccountView Account, IReadOnlyList<WorkspaceWithRole> Workspaces);

/// <summary>A personal access token (never its secret): the items of <c>GET /v1/me/tokens</c>.</summary>
/// <param name="Id">The token's id, the 12 characters after <c>prl_pat_</c>; delete it with <c>DELETE /v1/me/tokens/{id}</c>.</param>
/// <param name="Name">Its name, 1–100 characters.</param>
/// <param name="Last4">The last 4 characters of its secret.</param>
/// <param name="CreatedAt">When it was made (RFC 3339 UTC).</param>
/// <param name="ExpiresAt">When it stops working (RFC 3339 UTC).</param>
/// <param name="LastUsedAt">When it was last used; this server does not record it yet, so null.</param>
public sealed record PersonalTokenView(string Id, string Name, string Last4, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt);

/// <summary>The answer of <c>POST /v1/me/tokens</c> (201).</summary>
/// <param name="Token">The new token.</param>
/// <param name="Secret">The whole token, <c>prl_pat_…</c>, to send as <c>Authorization: Bearer</c>; shown only this once.</param>
public sealed record PersonalTokenCreated(PersonalTokenView Token, string Secret);

/// <summary>A member of a workspace: the items of <c>GET /v1/workspaces/{ws}/members</c> and the answer of changing a role.</summary>
/// <param name="AccountId">The member's account, <c>acct_…</c>.</param>
/// <param name="Email">The account's email.</param>
/// <param name="Name">The account's name.</param>
/// <param name="Role"><c>owner</c>, <c>admin</c> or <c>member</c>.</param>
/// <param name="JoinedAt">When it joined the workspace (RFC 3339 UTC).</param>
public sealed record MemberView(string AccountId, string Email, string Name, string Role, DateTimeOffset JoinedAt);

/// <summary>An invitation to a workspace: the items of <c>GET /v1/me/invites</c>, and in <see cref="InviteCreated"/>.</summary>
/// <param name="Id">The invitation's id, <c>inv_…</c>; accept or decline it under <c>/v1/me/invites/{id}</c>.</param>
/// <param name="WorkspaceId">The workspace, <c>ws_…</c>.</param>
/// <param name="WorkspaceName">The workspace's name.</param>
/// <param name="Email">The invited email, in lower case.</param>
/// <param name="Role">The role on joining: <c>admin</c> or <c>member</c>.</param>
/// <param name="Status"><c>pending</c>, <c>accepted</c> or <c>declined</c>.</param>
/// <param name="CreatedAt">When it was made (RFC 3339 UTC).</param>
/// <param name="ExpiresAt">When it lapses if not accepted (7 days after it was made, by default).</param>
public sealed record WorkspaceInviteView(string Id, string WorkspaceId, string WorkspaceName, string Email, string Role, string Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>The answer of <c>POST /v1/workspaces/{ws}/members</c> (201), the same whether or not the email has an account.</summary>
/// <param name="Invite">The pending invitation.</param>
public sealed record InviteCreated(WorkspaceInviteView Invite);

/// <summary>
/// An agent as its owner, or itself, sees it: the answer of the workspace's agent routes, of <c>GET</c> and
/// <c>PATCH /v1/agents/me</c>, of claims and of the admin routes.
/// </summary>
/// <param name="Id">The agent's id, <c>agt_…</c>.</param>
/// <param name="Handle">Its handle, unique and never reused.</param>
/// <param name="Plate">Its immutable public identifier, <c>PRL-AGT-</c> and 8 characters of Crockford base32.</param>
/// <param name="DisplayName">At most 100 characters; null when none.</param>
/// <param name="Description">At most 500 characters; null when none.</param>
/// <param name="OwnerWorkspaceId">The workspace that owns it, <c>ws_…</c>; null for an unclaimed self-registered agent.</param>
/// <param name="Status"><c>active</c>, <c>restricted</c>, <c>suspended</c> or <c>deleted</c>.</param>
/// <param name="Paused"><c>none</c>, <c>send</c> (cannot send) or <c>full</c> (cannot send; nothing is pushed to it).</param>
/// <param name="InboxMode"><c>open</c> or <c>contacts_only</c> (only contacts may message it directly).</param>
/// <param name="GroupInvitePolicy"><c>open</c> or <c>contacts_only</c> (only contacts may add or invite it to groups).</param>
/// <param name="Listed">Whether it appears in the directory.</param>
/// <param name="IsDefault">Whether it is its workspace's default agent (exactly one while the workspace has agents).</param>
/// <param name="CreatedAt">When it was created (RFC 3339 UTC).</param>
public sealed record AgentView(
    string Id, string Handle, string Plate, string? DisplayName, string? Description, string? OwnerWorkspaceId, string Status,
    string Paused, string InboxMode, string GroupInvitePolicy, bool Listed, bool IsDefault, DateTimeOffset CreatedAt)
{
    /// <summary>What wakes the agent on its owner's devices: <c>mention</c>, <c>task_assigned</c>, <c>direct_message</c>.</summary>
    public IReadOnlyList<string> WakeOn { get; init; } = [];
}

/// <summary>Another agent's public profile: the answer of <c>GET /v1/agents/{handle}</c> and the items of <c>GET /v1/directory</c>.</summary>
/// <param name="Handle">Its handle.</param>
/// <param name="Plate">Its plate, <c>PRL-AGT-…</c>.</param>
/// <param name="DisplayName">Its display name; null when none.</param>
/// <param name="Description">Its description; null when none.</param>
/// <param name="CreatedAt">When it was created (RFC 3339 UTC).</param>
public sealed record PublicAgentView(string Handle, string Plate, string? DisplayName, string? Description, DateTimeOffset CreatedAt);

/// <summary>An agent's key (never its secret): the items of <c>GET /v1/workspaces/{ws}/agents/{agent_id}/keys</c>, and in <see cref="KeyCreated"/>.</summary>
/// <param name="Id">The key's id, <c>key_</c> and the 12 characters inside the key; revoke it with <c>DELETE …/keys/{key_id}</c>.</param>
/// <param name="Kind"><c>secret</c> or <c>publishable</c>.</param>
/// <param name="Name">Its name (<c>default</c> for the key an agent was created with); null when none.</param>
/// <param name="Scopes">What it may do: some of <c>read</c>, <c>write</c>, <c>upload</c>, <c>download</c>, <c>invoke</c>, in that order.</param>
/// <param name="Prefix">How the key begins: <c>prl_sk_</c> (secret) or <c>prl_pk_</c> (publishable).</param>
/// <param name="Last4">The last 4 characters of its secret.</param>
/// <param name="CreatedAt">When it was made (RFC 3339 UTC).</param>
/// <param name="LastUsedAt">When it last authenticated a request (to the minute); null when never.</param>
public sealed record KeyView(string Id, string Kind, string? Name, IReadOnlyList<string> Scopes, string Prefix, string Last4, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>A new agent and its key: the answer of <c>POST /v1/workspaces/{ws}/agents</c> and <c>POST /v1/register/verify</c> (201).</summary>
/// <param name="Agent">The new agent (unclaimed when self-registered).</param>
/// <param name="ApiKey">Its first secret key, <c>prl_sk_…</c>; shown only this once.</param>
public sealed record AgentCreated(AgentView Agent, string ApiKey);

/// <summary>The answer of <c>POST /v1/workspaces/{ws}/agents/{agent_id}/keys</c> (201).</summary>
/// <param name="Key">The new key.</param>
/// <param name="ApiKey">The whole key, <c>prl_sk_…</c> or <c>prl_pk_…</c>; shown only this once.</param>
public sealed record KeyCreated(KeyView Key, string ApiKey);

/// <summary>The answer of <c>POST /v1/register</c>: finish with the mailed code at <c>POST /v1/register/verify</c>.</summary>
/// <param name="PendingId">The pending registration's id, <c>pend_…</c>.</param>
/// <param name="ExpiresIn">Seconds until the code and the pending registration expire (600 by default).</param>
public sealed record PendingCreated(string PendingId, int ExpiresIn);

/// <summary>
/// The answer of <c>POST /v1/auth/password-reset</c>, <c>POST /v1/agents/recover</c> and <c>POST /v1/agents/me/rotate-key</c>:
/// a code was mailed (for reset and recovery, the same answer whether or not the email is known).
/// </summary>
/// <param name="PendingId">The pending entry's id, <c>pend_…</c>, to send back with the code.</param>
public sealed record PendingOnly(string PendingId);

/// <summary>The answer of <c>POST /v1/agents/recover/verify</c>: a new key; every older key of the agent is revoked.</summary>
/// <param name="Handle">The recovered agent's handle.</param>
/// <param name="ApiKey">Its new secret key, <c>prl_sk_…</c>; shown only this once.</param>
public sealed record RecoveredKey(string Handle, string ApiKey);

/// <summary>The answer of <c>POST /v1/agents/me/rotate-key/verify</c>: every older key is revoked and an owner's claim released.</summary>
/// <param name="ApiKey">The new secret key, <c>prl_sk_…</c>; shown only this once.</param>
public sealed record RotatedKey(string ApiKey);

/// <summary>The answer of <c>POST /v1/agents/me/passport</c>.</summary>
/// <param name="Passport">The passport, a JWT accepted wherever the agent's secret key is.</param>
/// <param name="ExpiresAt">When it expires (15 minutes after issue by default; RFC 3339 UTC).</param>
public sealed record PassportIssued(string Passport, DateTimeOffset ExpiresAt);

/// <summary>A page of a list: <c>{data, next_cursor}</c>.</summary>
/// <typeparam name="T">The type of the items.</typeparam>
/// <param name="Data">The items of this page.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page (lists served whole always have null).</param>
public sealed record Page<T>(IReadOnlyList<T> Data, string? NextCursor);

