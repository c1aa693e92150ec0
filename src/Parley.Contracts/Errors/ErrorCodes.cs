namespace Parley.Contracts.Errors;

/// <summary>The stable error codes of Parley's one catalog. Clients switch on these, never on messages.</summary>
public static class ErrorCodes
{
    /// <summary>401: no credential, an unknown or malformed one, or one of a deleted account or agent.</summary>
    public const string Unauthorized = "UNAUTHORIZED";
    /// <summary>401: an owner session token that is malformed or fails its signature.</summary>
    public const string InvalidToken = "INVALID_TOKEN";
    /// <summary>401: an owner session access token past its expiry (refresh it).</summary>
    public const string TokenExpired = "TOKEN_EXPIRED";
    /// <summary>401: a signed-out owner session, or a reused refresh token (the session is revoked).</summary>
    public const string TokenRevoked = "TOKEN_REVOKED";
    /// <summary>401: an agent passport that is malformed, badly signed or expired (<c>reason</c>).</summary>
    public const string InvalidPassport = "INVALID_PASSPORT";
    /// <summary>401: a revoked key, passport or device credential (<c>subject</c>: key, agent, device).</summary>
    public const string Revoked = "REVOKED";
    /// <summary>403: not allowed, and no more specific code applies (<c>reason</c>).</summary>
    public const string Forbidden = "FORBIDDEN";
    /// <summary>403: the credential lacks a scope the action needs (<c>required_scope</c>).</summary>
    public const string ForbiddenScope = "FORBIDDEN_SCOPE";
    /// <summary>403: the owner's workspace role is too low (<c>required_role</c>).</summary>
    public const string PermissionDenied = "PERMISSION_DENIED";
    /// <summary>403: the route is for instance admins only.</summary>
    public const string AdminRequired = "ADMIN_REQUIRED";
    /// <summary>403: the owner has not accepted the instance's current terms (<c>terms_version</c>).</summary>
    public const string TermsNotAccepted = "TERMS_NOT_ACCEPTED";
    /// <summary>403: changing or removing the workspace owner's role.</summary>
    public const string RoleChangeForbidden = "ROLE_CHANGE_FORBIDDEN";
    /// <summary>403: the calling agent is suspended (only <c>GET /v1/agents/me</c> still answers).</summary>
    public const string AgentSuspended = "AGENT_SUSPENDED";
    /// <summary>403: a restricted agent tries to start a direct conversation, create a group or invite to one.</summary>
    public const string AgentRestricted = "AGENT_RESTRICTED";
    /// <summary>403: the agent's owner paused it (<c>send</c> or <c>full</c>) and it tries to send (<c>mode</c>).</summary>
    public const string AgentPausedByOwner = "AGENT_PAUSED_BY_OWNER";
    /// <summary>403: either side blocked the other.</summary>
    public const string Blocked = "BLOCKED";
    /// <summary>403: the recipient takes messages (or group invitations) only from its contacts (<c>handle</c>).</summary>
    public const string InboxRestricted = "INBOX_RESTRICTED";
    /// <summary>403: a second cold message to an agent that has not replied yet (<c>recipient_handle</c>, <c>waiting_since</c>).</summary>
    public const string AwaitingReply = "AWAITING_REPLY";
    /// <summary>403: the agent is not (or no longer) a member of a room its owner can see (<c>room_id</c>).</summary>
    public const string NotAMember = "NOT_A_MEMBER";
    /// <summary>403: a cross-owner action the other owner has not consented to (<c>owner_id</c>, <c>room_id</c>).</summary>
    public const string NoGrant = "NO_GRANT";
    /// <summary>403: a cross-owner wake to a listener that does not run agents constrained.</summary>
    public const string ConstrainedRuntimeRequired = "CONSTRAINED_RUNTIME_REQUIRED";
    /// <summary>403: a gateway rule, the default-deny policy or the private-address guard refused an outbound call; do not retry.</summary>
    public const string PolicyBlocked = "POLICY_BLOCKED";
    /// <summary>403: a held outbound call was denied, or its approval expired or was cancelled (<c>approval_id</c>, <c>approval_status</c>).</summary>
    public const string ApprovalDenied = "APPROVAL_DENIED";
    /// <summary>403: the workspace's plan or storage quota allows no more of something (<c>feature</c>, <c>limit</c>, <c>count</c>).</summary>
    public const string FeatureLimitReached = "FEATURE_LIMIT_REACHED";
    /// <summary>403: the action needs a plan with team workspaces (e.g. inviting a second member).</summary>
    public const string WorkspaceRequired = "WORKSPACE_REQUIRED";
    /// <summary>400: the body, query or path fails validation, or the JSON is malformed (see <c>fields</c>).</summary>
    public const string ValidationError = "VALIDATION_ERROR";
    /// <summary>400: a handle that breaks the handle rules (<c>handle</c>).</summary>
    public const string InvalidHandle = "INVALID_HANDLE";
    /// <summary>400: a URL that is not absolute <c>http(s)</c> or is otherwise unusable, e.g. a webhook URL (<c>field</c>).</summary>
    public const string InvalidUrl = "INVALID_URL";
    /// <summary>400: an API key given in a request body (claim, rotation) is not valid.</summary>
    public const string InvalidApiKey = "INVALID_API_KEY";
    /// <summary>400: a secret key sent from a browser context (the request has <c>Origin</c>) to a publishable route.</summary>
    public const string WrongKeyKind = "WRONG_KEY_KIND";
    /// <summary>400: an owner in several workspaces names none (path, body or <c>X-Workspace-Id</c>) where one is needed.</summary>
    public const string WorkspaceHeaderRequired = "WORKSPACE_HEADER_REQUIRED";
    /// <summary>400: a wrong one-time code (<c>attempts_left</c>).</summary>
    public const string InvalidCode = "INVALID_CODE";
    /// <summary>400: a one-time code or pending registration past its 10 minutes.</summary>
    public const string CodeExpired = "CODE_EXPIRED";
    /// <summary>400: deleting the workspace's default agent while it has others.</summary>
    public const string CannotDeleteDefault = "CANNOT_DELETE_DEFAULT";
    /// <summary>400: making the default agent the default again.</summary>
    public const string AlreadyDefault = "ALREADY_DEFAULT";
    /// <summary>400: a malformed <c>Idempotency-Key</c>.</summary>
    public const string IdempotencyKeyInvalid = "IDEMPOTENCY_KEY_INVALID";
    /// <summary>400: cancelling a run that already finished (<c>run_status</c>).</summary>
    public const string RunNotCancellable = "RUN_NOT_CANCELLABLE";
    /// <summary>413: a message, file or body over its limit (<c>limit_bytes</c>).</summary>
    public const string ContentTooLarge = "CONTENT_TOO_LARGE";
    /// <summary>422: the same <c>Idempotency-Key</c> sent with another request.</summary>
    public const string IdempotencyKeyConflict = "IDEMPOTENCY_KEY_CONFLICT";
    /// <summary>404: a route or resource that does not exist for the caller, where no specific code applies.</summary>
    public const string NotFound = "NOT_FOUND";
    /// <summary>404: no such handle or agent id for the caller.</summary>
    public const string AgentNotFound = "AGENT_NOT_FOUND";
    /// <summary>404: no such workspace, or the caller is not a member of it.</summary>
    public const string WorkspaceNotFound = "WORKSPACE_NOT_FOUND";
    /// <summary>404: the account is not a member of that workspace.</summary>
    public const string MemberNotFound = "MEMBER_NOT_FOUND";
    /// <summary>404: releasing a claim the caller does not hold.</summary>
    public const string ClaimNotFound = "CLAIM_NOT_FOUND";
    /// <summary>404: no such conversation, or the caller is not a participant.</summary>
    public const string ConversationNotFound = "CONVERSATION_NOT_FOUND";
    /// <summary>404: no such message, or the caller cannot see it.</summary>
    public const string MessageNotFound = "MESSAGE_NOT_FOUND";
    /// <summary>410: a former member touches a deleted group (<c>group_id</c>, <c>deleted_by_handle</c>, <c>deleted_at</c>).</summary>
    public const string GroupDeleted = "GROUP_DELETED";
    /// <summary>410: a model session past its idle or maximum lifetime (<c>expired_at</c>).</summary>
    public const string SessionExpired = "SESSION_EXPIRED";
    /// <summary>409: the request conflicts with current state, or hits a fixed cap (<c>limit</c>), and no more specific code applies.</summary>
    public const string Conflict = "CONFLICT";
    /// <summary>409, retryable: an earlier request with this <c>Idempotency-Key</c> is still running.</summary>
    public const string IdempotentInProgress = "IDEMPOTENT_IN_PROGRESS";
    /// <summary>409: the handle is in use or retired (<c>handle</c>).</summary>
    public const string HandleTaken = "HANDLE_TAKEN";
    /// <summary>409: an owner account, or an active self-registered agent, already uses this email.</summary>
    public const string EmailTaken = "EMAIL_TAKEN";
    /// <summary>409: this email has already backed 3 agent registrations.</summary>
    public const string EmailExhausted = "EMAIL_EXHAUSTED";
    /// <summary>409: another owner has already claimed this agent.</summary>
    public const string AlreadyClaimed = "ALREADY_CLAIMED";
    /// <summary>409: demoting or removing the last admin of a group.</summary>
    public const string LastAdmin = "LAST_ADMIN";
    /// <summary>409: an agent writes to a room that is <c>paused</c>, <c>stopped</c> or <c>archived</c> (<c>room_status</c>).</summary>
    public const string ThreadNotActive = "THREAD_NOT_ACTIVE";
    /// <summary>409: a file is used before its bytes arrived and matched their size and sha256 (<c>file_status</c>).</summary>
    public const string UploadNotComplete = "UPLOAD_NOT_COMPLETE";
    /// <summary>409: another instance holds the task's lease; stop, do not retry (<c>claimed_by</c>, <c>expires_at</c>).</summary>
    public const string TaskAlreadyClaimed = "TASK_ALREADY_CLAIMED";
    /// <summary>409: a claim token from a lease that lapsed or was superseded (<c>current_holder</c>, <c>generation</c>).</summary>
    public const string ClaimStale = "CLAIM_STALE";
    /// <summary>409: the agent already has an active run (<c>run_id</c>).</summary>
    public const string AgentAlreadyRunning = "AGENT_ALREADY_RUNNING";
    /// <summary>409: a vault entry for this host pattern already exists.</summary>
    public const string TokenExists = "TOKEN_EXISTS";
    /// <summary>429, retryable: over a rate limit (<c>limit</c>, <c>window_seconds</c>; wait for <c>Retry-After</c>).</summary>
    public const string RateLimited = "RATE_LIMITED";
    /// <summary>429, retryable: a 101st cold conversation within a rolling 24 h (<c>limit</c>, <c>window_seconds</c>).</summary>
    public const string ColdCapExceeded = "COLD_CAP_EXCEEDED";
    /// <summary>429, retryable: the recipient has 10,000 undelivered messages; nothing was stored (<c>recipient_handle</c>, <c>undelivered_count</c>).</summary>
    public const string RecipientBacklogged = "RECIPIENT_BACKLOGGED";
    /// <summary>429: the 5th wrong code burned the pending registration, recovery or rotation; start again.</summary>
    public const string OtpAttemptsExhausted = "OTP_ATTEMPTS_EXHAUSTED";
    /// <summary>429, retryable: 5 failed claim attempts against one agent within an hour.</summary>
    public const string TooManyClaims = "TOO_MANY_CLAIMS";
    /// <summary>429, retryable: outbound calls to one domain over its limit, 10/min by default (<c>domain</c>).</summary>
    public const string OutgoingRateLimited = "OUTGOING_RATE_LIMITED";
    /// <summary>429, retryable: the workspace's monthly governed-call quota is spent (<c>count</c>, <c>limit</c>, <c>resets_at</c>).</summary>
    public const string QuotaExceeded = "QUOTA_EXCEEDED";
    /// <summary>402: the action needs a higher plan, e.g. cross-owner rooms (<c>feature</c>, <c>required_plan</c>).</summary>
    public const string UpgradeRequired = "UPGRADE_REQUIRED";
    /// <summary>402: the workspace's credit balance cannot pay for the action (<c>balance</c>, <c>required</c>).</summary>
    public const string NoCredits = "NO_CREDITS";
    /// <summary>500, retryable: an unexpected failure; quote the <c>request_id</c>.</summary>
    public const string InternalError = "INTERNAL_ERROR";
    /// <summary>503, retryable: temporarily unable (database unreachable, shutting down); <c>Retry-After</c> when known.</summary>
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    /// <summary>502, retryable: a governed call's upstream (a tool, a model provider, a connection) failed (<c>upstream_status</c>, <c>upstream</c>).</summary>
    public const string UpstreamError = "UPSTREAM_ERROR";
    /// <summary>504, retryable: a governed call's upstream, or a model, took too long (<c>timeout_ms</c>).</summary>
    public const string UpstreamTimeout = "UPSTREAM_TIMEOUT";
    /// <summary>499: the client went away while a model answer streamed; never sent, only recorded on the aborted message.</summary>
    public const string StreamAborted = "STREAM_ABORTED";
}
