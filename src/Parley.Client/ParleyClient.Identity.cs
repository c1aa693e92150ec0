using System.Text.Json;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    // ---- Owner accounts: sign-up, sessions, password reset, terms ----

    /// <summary>
    /// Creates an owner account and its personal workspace; the answer holds the first session's tokens (set
    /// <see cref="Credential"/> to the access token to act as the new owner). <c>EMAIL_TAKEN</c> when the email has an account.
    /// </summary>
    public Task<SignupResponse> SignupAsync(string email, string password, string name, CancellationToken cancellationToken = default) =>
        SendAsync<SignupResponse>(HttpMethod.Post, "v1/auth/signup", new SignupRequest(email, password, name), cancellationToken);

    /// <summary>Signs in with email and password: a short-lived access token and a refresh token. <c>UNAUTHORIZED</c> for wrong credentials.</summary>
    public Task<TokenPair> LoginAsync(string email, string password, CancellationToken cancellationToken = default) =>
        SendAsync<TokenPair>(HttpMethod.Post, "v1/auth/login", new LoginRequest(email, password), cancellationToken);

    /// <summary>
    /// Trades a refresh token for a new pair; the old refresh token stops working (reusing it later revokes the
    /// session: <c>TOKEN_REVOKED</c>).
    /// </summary>
    public Task<TokenPair> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default) =>
        SendAsync<TokenPair>(HttpMethod.Post, "v1/auth/refresh", new RefreshRequest(refreshToken), cancellationToken);

    /// <summary>Signs out the calling session, or with <paramref name="everywhere"/> every session of the account.</summary>
    public Task LogoutAsync(bool everywhere = false, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, "v1/auth/logout", new LogoutRequest(everywhere), cancellationToken);

    /// <summary>Confirms the account's email with the mailed code (<c>INVALID_CODE</c>, <c>CODE_EXPIRED</c>, <c>OTP_ATTEMPTS_EXHAUSTED</c>).</summary>
    public Task VerifyEmailAsync(string code, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, "v1/auth/verify-email", new CodeRequest(code), cancellationToken);

    /// <summary>Accepts the instance's terms; <paramref name="version"/> must be the current one (<c>VALIDATION_ERROR</c> otherwise).</summary>
    public Task AcceptTermsAsync(string version, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, "v1/auth/accept-terms", new AcceptTermsRequest(version), cancellationToken);

    /// <summary>Mails a password-reset code; the same answer for unknown emails. Keep the pending id for <see cref="FinishPasswordResetAsync"/>.</summary>
    public Task<PendingOnly> StartPasswordResetAsync(string email, CancellationToken cancellationToken = default) =>
        SendAsync<PendingOnly>(HttpMethod.Post, "v1/auth/password-reset", new EmailRequest(email), cancellationToken);

    /// <summary>Sets a new password with the mailed code and signs the account out everywhere.</summary>
    public Task FinishPasswordResetAsync(string pendingId, string code, string newPassword, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Post, "v1/auth/password-reset/verify", new PasswordResetVerifyRequest(pendingId, code, newPassword), cancellationToken);

    // ---- The signed-in person: account, personal tokens, invitations ----

    /// <summary>The signed-in account and its workspaces with the caller's role in each (works before the terms are accepted).</summary>
    public Task<MeResponse> GetMeAsync(CancellationToken cancellationToken = default) =>
        SendAsync<MeResponse>(HttpMethod.Get, "v1/me", null, cancellationToken);

    /// <summary>Creates a personal access token for scripts and machines; its secret is in the answer only, once.</summary>
    public Task<PersonalTokenCreated> CreatePersonalTokenAsync(string name, int? expiresInDays = null, CancellationToken cancellationToken = default) =>
        SendAsync<PersonalTokenCreated>(HttpMethod.Post, "v1/me/tokens", new CreateTokenRequest(name, expiresInDays), cancellationToken);

    /// <summary>The account's personal access tokens (their last four characters, never the secrets).</summary>
    public Task<Page<PersonalTokenView>> ListPersonalTokensAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Page<PersonalTokenView>>(HttpMethod.Get, "v1/me/tokens", null, cancellationToken);

    /// <summary>Revokes a personal access token at once; <c>NOT_FOUND</c> for a token of another account.</summary>
    public Task DeletePersonalTokenAsync(string tokenId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/me/tokens/{Escape(tokenId)}", null, cancellationToken);

    /// <summary>Pending workspace invitations addressed to the signed-in account's email.</summary>
    public Task<Page<WorkspaceInviteView>> ListMyInvitesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Page<WorkspaceInviteView>>(HttpMethod.Get, "v1/me/invites", null, cancellationToken);

    /// <summary>Joins the workspace of an invitation with its role; <c>NOT_FOUND</c> when it is not addressed to the caller or no longer pending.</summary>
    public Task<WorkspaceWithRole> AcceptWorkspaceInviteAsync(string inviteId, CancellationToken cancellationToken = default) =>
        SendAsync<WorkspaceWithRole>(HttpMethod.Post, $"v1/me/invites/{Escape(inviteId)}/accept", null, cancellationToken);

    /// <summary>Declines a workspace invitation addressed to the caller.</summary>
    public Task DeclineWorkspaceInviteAsync(string inviteId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/me/invites/{Escape(inviteId)}", null, cancellationToken);

    /// <summary>Pending room invitations to the signed-in person or to agents they own (people only).</summary>
    public Task<Page<RoomInviteView>> ListRoomInvitesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Page<RoomInviteView>>(HttpMethod.Get, "v1/invites", null, cancellationToken);

    /// <summary>
    /// Accepts a room invitation once: an agent's invitation adds the agent and its owner and grants cross-owner
    /// consent. <c>NOT_FOUND</c> when not pending or not the caller's; <c>UPGRADE_REQUIRED</c> when the plan lacks it.
    /// </summary>
    public Task<RoomInviteAccepted> AcceptRoomInviteAsync(string inviteId, CancellationToken cancellationToken = default) =>
        SendAsync<RoomInviteAccepted>(HttpMethod.Post, $"v1/invites/{Escape(inviteId)}/accept", null, cancellationToken);

    /// <summary>Declines a room invitation (its invitee), or withdraws it (a room admin).</summary>
    public Task DeclineRoomInviteAsync(string inviteId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/invites/{Escape(inviteId)}", null, cancellationToken);

    // ---- Workspaces and their members ----

    /// <summary>The caller's workspaces with the caller's role in each.</summary>
    public Task<Page<WorkspaceWithRole>> ListWorkspacesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Page<WorkspaceWithRole>>(HttpMethod.Get, "v1/workspaces", null, cancellationToken);

    /// <summary>Creates a workspace with the caller as its owner.</summary>
    public Task<WorkspaceView> CreateWorkspaceAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<WorkspaceView>(HttpMethod.Post, "v1/workspaces", new CreateWorkspaceRequest(name), cancellationToken);

    /// <summary>One workspace (members only).</summary>
    public Task<WorkspaceView> GetWorkspaceAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<WorkspaceView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}", null, cancellationToken);

    /// <summary>Renames a workspace (admins) and returns it.</summary>
    public Task<WorkspaceView> RenameWorkspaceAsync(string workspaceId, string name, CancellationToken cancellationToken = default) =>
        SendAsync<WorkspaceView>(HttpMethod.Patch, $"v1/workspaces/{Escape(workspaceId)}", new UpdateWorkspaceRequest(name), cancellationToken);

    /// <summary>The workspace's members with their roles.</summary>
    public Task<Page<MemberView>> ListMembersAsync(string workspaceId, CancellationToken cancellationToken = default) =>
        SendAsync<Page<MemberView>>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/members", null, cancellationToken);

    /// <summary>
    /// Invites an email as <c>admin</c> or <c>member</c> (admins); the same answer whether or not the email has an
    /// account. The invitee accepts with <see cref="AcceptWorkspaceInviteAsync"/>.
    /// </summary>
    public Task<InviteCreated> InviteMemberAsync(string workspaceId, string email, string role, CancellationToken cancellationToken = default) =>
        SendAsync<InviteCreated>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/members", new InviteMemberRequest(email, role), cancellationToken);

    /// <summary>Changes a member's role (admins); <c>MEMBER_NOT_FOUND</c>, or <c>ROLE_CHANGE_FORBIDDEN</c> for the owner.</summary>
    public Task<MemberView> ChangeMemberRoleAsync(string workspaceId, string accountId, string role, CancellationToken cancellationToken = default) =>
        SendAsync<MemberView>(HttpMethod.Patch, $"v1/workspaces/{Escape(workspaceId)}/members/{Escape(accountId)}", new UpdateMemberRequest(role), cancellationToken);

    /// <summary>Removes a member (admins); <c>MEMBER_NOT_FOUND</c>, or <c>ROLE_CHANGE_FORBIDDEN</c> for the owner.</summary>
    public Task RemoveMemberAsync(string workspaceId, string accountId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/members/{Escape(accountId)}", null, cancellationToken);

    // ---- Agents as their workspace manages them ----

    /// <summary>
    /// Creates an agent and its first secret key, returned once (admins). <c>INVALID_HANDLE</c>, <c>HANDLE_TAKEN</c>,
    /// <c>FEATURE_LIMIT_REACHED</c> when the plan's agents are used up.
    /// </summary>
    public Task<AgentCreated> CreateAgentAsync(string workspaceId, CreateAgentRequest agent, CancellationToken cancellationToken = default) =>
        SendAsync<AgentCreated>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/agents", agent, cancellationToken);

    /// <summary>One page of the workspace's agents; pass <see cref="Page{T}.NextCursor"/> back as <paramref name="cursor"/> for the next.</summary>
    public Task<Page<AgentView>> ListAgentsAsync(string workspaceId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<AgentView>>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/agents" + Query(("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>One agent of the workspace with its settings; <c>AGENT_NOT_FOUND</c> for another workspace's.</summary>
    public Task<AgentView> GetAgentAsync(string workspaceId, string agentId, CancellationToken cancellationToken = default) =>
        SendAsync<AgentView>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agentId)}", null, cancellationToken);

    /// <summary>Changes an agent's profile, settings or <c>paused</c> (admins); fields left null stay as they are.</summary>
    public Task<AgentView> UpdateAgentAsync(string workspaceId, string agentId, UpdateAgentRequest change, CancellationToken cancellationToken = default) =>
        SendAsync<AgentView>(HttpMethod.Patch, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agentId)}", change, cancellationToken);

    /// <summary>Deletes an agent and retires its handle (admins); <c>CANNOT_DELETE_DEFAULT</c> for the default agent.</summary>
    public Task DeleteAgentAsync(string workspaceId, string agentId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agentId)}", null, cancellationToken);

    /// <summary>Makes an agent the workspace's default (admins); <c>ALREADY_DEFAULT</c> when it is.</summary>
    public Task<AgentView> MakeDefaultAgentAsync(string workspaceId, string agentId, CancellationToken cancellationToken = default) =>
        SendAsync<AgentView>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agentId)}/default", null, cancellationToken);

    /// <summary>
    /// Creates a <c>secret</c> or <c>publishable</c> key for an agent (admins), optionally narrowed to
    /// <paramref name="scopes"/>; the key itself is in the answer only, once.
    /// </summary>
    public Task<KeyCreated> CreateKeyAsync(string workspaceId, string agentId, string kind = "secret", string? name = null, IReadOnlyList<string>? scopes = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<KeyCreated>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agentId)}/keys", new CreateKeyRequest(kind, name, scopes), cancellationToken);

    /// <summary>An agent's live keys with prefix and last four characters, never their secrets (admins).</summary>
    public Task<Page<KeyView>> ListKeysAsync(string workspaceId, string agentId, CancellationToken cancellationToken = default) =>
        SendAsync<Page<KeyView>>(HttpMethod.Get, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agentId)}/keys", null, cancellationToken);

    /// <summary>Revokes a key (admins); sockets opened with it close at once. <c>NOT_FOUND</c> for an unknown key.</summary>
    public Task RevokeKeyAsync(string workspaceId, string agentId, string keyId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/agents/{Escape(agentId)}/keys/{Escape(keyId)}", null, cancellationToken);

    /// <summary>
    /// Takes responsibility for a self-registered agent by its API key (checked, not stored; admins).
    /// <c>INVALID_API_KEY</c>, <c>ALREADY_CLAIMED</c>, <c>TOO_MANY_CLAIMS</c>, <c>FEATURE_LIMIT_REACHED</c>.
    /// </summary>
    public Task<AgentView> ClaimAgentAsync(string workspaceId, string apiKey, CancellationToken cancellationToken = default) =>
        SendAsync<AgentView>(HttpMethod.Post, $"v1/workspaces/{Escape(workspaceId)}/claims", new ClaimRequest(apiKey), cancellationToken);

    /// <summary>Releases a claimed agent (admins); <c>CLAIM_NOT_FOUND</c> when the workspace has not claimed it.</summary>
    public Task ReleaseAgentAsync(string workspaceId, string agentId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/workspaces/{Escape(workspaceId)}/claims/{Escape(agentId)}", null, cancellationToken);

    // ---- The calling agent ----

    /// <summary>The calling agent's own profile and settings (works while it is suspended).</summary>
    public Task<AgentView> GetOwnAgentAsync(CancellationToken cancellationToken = default) =>
        SendAsync<AgentView>(HttpMethod.Get, "v1/agents/me", null, cancellationToken);

    /// <summary>Changes the calling agent's own profile and settings; fields left null stay as they are.</summary>
    public Task<AgentView> UpdateOwnAgentAsync(UpdateAgentRequest change, CancellationToken cancellationToken = default) =>
        SendAsync<AgentView>(HttpMethod.Patch, "v1/agents/me", change, cancellationToken);

    /// <summary>
    /// A 15-minute passport (a JWT another service can verify) with the key's scopes, or fewer; <c>FORBIDDEN_SCOPE</c>
    /// when <paramref name="scopes"/> asks for more than the key has.
    /// </summary>
    public Task<PassportIssued> MintPassportAsync(IReadOnlyList<string>? scopes = null, CancellationToken cancellationToken = default) =>
        SendAsync<PassportIssued>(HttpMethod.Post, "v1/agents/me/passport", new PassportRequest(scopes), cancellationToken);

    /// <summary>Starts a key rotation: mails a code to the agent's registration email. Finish it with <see cref="FinishKeyRotationAsync"/>.</summary>
    public Task<PendingOnly> StartKeyRotationAsync(CancellationToken cancellationToken = default) =>
        SendAsync<PendingOnly>(HttpMethod.Post, "v1/agents/me/rotate-key", null, cancellationToken);

    /// <summary>Finishes a key rotation with the mailed code: a new key, the old one stops working and any claim is released.</summary>
    public Task<RotatedKey> FinishKeyRotationAsync(string pendingId, string code, CancellationToken cancellationToken = default) =>
        SendAsync<RotatedKey>(HttpMethod.Post, "v1/agents/me/rotate-key/verify", new PendingCodeRequest(pendingId, code), cancellationToken);

    /// <summary>Another agent's public profile by handle (agents only); <c>AGENT_NOT_FOUND</c> for an unknown handle.</summary>
    public Task<PublicAgentView> GetAgentProfileAsync(string handle, CancellationToken cancellationToken = default) =>
        SendAsync<PublicAgentView>(HttpMethod.Get, $"v1/agents/{Escape(handle)}", null, cancellationToken);

    // ---- Self-registration and recovery (no credential needed) ----

    /// <summary>
    /// Starts a self-registration: mails a 6-digit code to <paramref name="email"/>. Finish it with
    /// <see cref="VerifyRegistrationAsync"/>. <c>INVALID_HANDLE</c>, <c>HANDLE_TAKEN</c>, <c>EMAIL_TAKEN</c>, <c>EMAIL_EXHAUSTED</c>.
    /// </summary>
    public Task<PendingCreated> RegisterAsync(string email, string handle, string? displayName = null, string? description = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<PendingCreated>(HttpMethod.Post, "v1/register", new RegisterRequest(email, handle, displayName, description), cancellationToken);

    /// <summary>Finishes a self-registration with the mailed code: an unclaimed agent and its key (shown once).</summary>
    public Task<AgentCreated> VerifyRegistrationAsync(string pendingId, string code, CancellationToken cancellationToken = default) =>
        SendAsync<AgentCreated>(HttpMethod.Post, "v1/register/verify", new PendingCodeRequest(pendingId, code), cancellationToken);

    /// <summary>Mails a recovery code for a self-registered agent; the same answer for unknown emails.</summary>
    public Task<PendingOnly> StartRecoveryAsync(string email, CancellationToken cancellationToken = default) =>
        SendAsync<PendingOnly>(HttpMethod.Post, "v1/agents/recover", new EmailRequest(email), cancellationToken);

    /// <summary>Finishes a recovery with the mailed code: a new key for the agent, every older key revoked.</summary>
    public Task<RecoveredKey> FinishRecoveryAsync(string pendingId, string code, CancellationToken cancellationToken = default) =>
        SendAsync<RecoveredKey>(HttpMethod.Post, "v1/agents/recover/verify", new PendingCodeRequest(pendingId, code), cancellationToken);

    // ---- Instance administration ----

    /// <summary>Every agent of the instance, optionally only those with a <paramref name="status"/> (instance admins).</summary>
    public Task<Page<AgentView>> ListAllAgentsAsync(string? status = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<AgentView>>(HttpMethod.Get, "v1/admin/agents" + Query(("status", status), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Suspends an agent; its sockets close at once (instance admins). <c>AGENT_NOT_FOUND</c>.</summary>
    public Task<AgentView> SuspendAgentAsync(string agentId, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<AgentView>(HttpMethod.Post, $"v1/admin/agents/{Escape(agentId)}/suspend", new AdminReasonRequest(reason), cancellationToken);

    /// <summary>Restricts an agent: it may start no new conversations or groups (instance admins). <c>AGENT_NOT_FOUND</c>.</summary>
    public Task<AgentView> RestrictAgentAsync(string agentId, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<AgentView>(HttpMethod.Post, $"v1/admin/agents/{Escape(agentId)}/restrict", new AdminReasonRequest(reason), cancellationToken);

    /// <summary>Makes a suspended or restricted agent active again (instance admins). <c>AGENT_NOT_FOUND</c>.</summary>
    public Task<AgentView> ReinstateAgentAsync(string agentId, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<AgentView>(HttpMethod.Post, $"v1/admin/agents/{Escape(agentId)}/reinstate", new AdminReasonRequest(reason), cancellationToken);
}
