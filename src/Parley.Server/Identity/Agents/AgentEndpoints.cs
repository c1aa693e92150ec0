using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Claims;
using Parley.Server.Identity.Registration;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Agents;

internal static class AgentEndpoints
{
    /// <summary>Agents as their workspace manages them, and claims of self-registered agents.</summary>
    public static IEndpointRouteBuilder MapWorkspaceAgents(this IEndpointRouteBuilder app)
    {
        var ws = app.MapGroup("/v1/workspaces/{workspaceId}").WithTags("Agents").RequireOwner();
        ws.MapPost("/agents", CreateAsync).WithName("CreateAgent").WithSummary("Create an agent and its first secret key (shown once).")
            .RequireWorkspaceRole(Roles.Admin).ProducesErrors(ErrorCodes.InvalidHandle, ErrorCodes.HandleTaken, ErrorCodes.FeatureLimitReached);
        ws.MapGet("/agents", ListAsync).WithName("ListAgents").WithSummary("The workspace's agents.").RequireWorkspaceRole(Roles.Member);

        var agent = ws.MapGroup("/agents/{agentId}").ProducesErrors(ErrorCodes.AgentNotFound);
        agent.MapGet("", GetAsync).WithName("GetAgent").WithSummary("Read an agent.").RequireWorkspaceRole(Roles.Member);
        agent.MapPatch("", UpdateAsync).WithName("UpdateAgent").WithSummary("Set profile fields, settings and `paused`.").RequireWorkspaceRole(Roles.Admin);
        agent.MapDelete("", DeleteAsync).WithName("DeleteAgent").WithSummary("Delete an agent; its handle is retired.")
            .RequireWorkspaceRole(Roles.Admin).ProducesErrors(ErrorCodes.CannotDeleteDefault);
        agent.MapPost("/default", MakeDefaultAsync).WithName("MakeDefaultAgent").WithSummary("Make this the workspace's default agent.")
            .RequireWorkspaceRole(Roles.Admin).ProducesErrors(ErrorCodes.AlreadyDefault);
        agent.MapPost("/keys", CreateKeyAsync).WithName("CreateKey").WithSummary("A new secret or publishable key (shown once).")
            .RequireWorkspaceRole(Roles.Admin);
        agent.MapGet("/keys", ListKeysAsync).WithName("ListKeys").WithSummary("The agent's live keys (never their secrets).").RequireWorkspaceRole(Roles.Admin);
        agent.MapDelete("/keys/{keyId}", RevokeKeyAsync).WithName("RevokeKey").WithSummary("Revoke a key; its sockets close at once.")
            .RequireWorkspaceRole(Roles.Admin).ProducesErrors(ErrorCodes.NotFound);

        ws.MapPost("/claims", ClaimAsync).WithName("ClaimAgent").WithSummary("Take responsibility for a self-registered agent by its key (checked, not stored).")
            .RequireWorkspaceRole(Roles.Admin)
            .ProducesErrors(ErrorCodes.InvalidApiKey, ErrorCodes.AlreadyClaimed, ErrorCodes.TooManyClaims, ErrorCodes.FeatureLimitReached);
        ws.MapDelete("/claims/{agentId}", ReleaseAsync).WithName("ReleaseAgent").WithSummary("Release a claimed agent.")
            .RequireWorkspaceRole(Roles.Admin).ProducesErrors(ErrorCodes.ClaimNotFound);
        return app;
    }

    /// <summary>What agents call about themselves and each other, self-registration, and the public signing keys.</summary>
    public static IEndpointRouteBuilder MapAgentSelf(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/v1").WithTags("Agents").RequireAgent();
        agents.MapGet("/agents/me", GetOwn).WithName("GetOwnAgent").WithSummary("The calling agent's profile and settings (works while suspended).").AllowSuspended();
        agents.MapPatch("/agents/me", UpdateOwnAsync).WithName("UpdateOwnAgent").WithSummary("Change the calling agent's profile and settings.");
        agents.MapPost("/agents/me/passport", MintPassport).WithName("MintPassport").WithSummary("A 15-minute passport (JWT) with at most the key's scopes.").ProducesErrors(ErrorCodes.ForbiddenScope);
        agents.MapPost("/agents/me/rotate-key", StartRotationAsync).WithName("StartKeyRotation").WithSummary("Mail a code to the registration email.").ProducesErrors(ErrorCodes.RateLimited);
        agents.MapPost("/agents/me/rotate-key/verify", FinishRotationAsync).WithName("FinishKeyRotation").WithSummary("A new key; the old one dies and any claim is released.")
            .ProducesErrors(ErrorCodes.InvalidCode, ErrorCodes.CodeExpired, ErrorCodes.OtpAttemptsExhausted);
        agents.MapGet("/agents/{handle}", GetProfileAsync).WithName("GetAgentProfile").WithSummary("Another agent's public profile.").ProducesErrors(ErrorCodes.AgentNotFound);
        agents.MapGet("/directory", DirectoryAsync).WithName("SearchDirectory").WithSummary("Listed agents whose handle or display name matches.")
            .AllowPublishable().RequireCors(IdentityModule.PublishableCors).RateLimited("directory").ProducesErrors(ErrorCodes.WrongKeyKind);

        var register = app.MapGroup("/v1").WithTags("Registration");
        register.MapPost("/register", RegisterAsync).WithName("Register").WithSummary("Start a self-registration; mails a 6-digit code.").RateLimited("register")
            .ProducesErrors(ErrorCodes.InvalidHandle, ErrorCodes.HandleTaken, ErrorCodes.EmailTaken, ErrorCodes.EmailExhausted, ErrorCodes.Forbidden);
        register.MapPost("/register/verify", VerifyRegistrationAsync).WithName("VerifyRegistration")
            .WithSummary("Finish a self-registration: an unclaimed agent and its key.").RateLimited("register-verify")
            .ProducesErrors(ErrorCodes.InvalidCode, ErrorCodes.CodeExpired, ErrorCodes.OtpAttemptsExhausted, ErrorCodes.HandleTaken, ErrorCodes.EmailTaken);
        register.MapPost("/agents/recover", StartRecoveryAsync).WithName("StartRecovery").WithSummary("Mail a recovery code (same answer for unknown emails).").RateLimited("recover");
        register.MapPost("/agents/recover/verify", FinishRecoveryAsync).WithName("FinishRecovery").WithSummary("A new key for the agent; all older keys are revoked.").RateLimited("register-verify")
            .ProducesErrors(ErrorCodes.InvalidCode, ErrorCodes.CodeExpired, ErrorCodes.OtpAttemptsExhausted);

        app.MapGet("/.well-known/jwks.json", Jwks).WithName("Jwks").WithSummary("The public keys that sign passports and owner tokens.").WithTags("Agents");
        return app;
    }

    private static async Task<Created<AgentCreated>> CreateAsync(CreateAgentRequest request, WorkspaceAccess access, AgentService s, CancellationToken ct)
    {
        var created = await s.CreateAsync(access.Workspace, request, ct);
        return TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/agents/{created.Agent.Id}", created);
    }

    private static async Task<NoContent> DeleteAsync(string agentId, WorkspaceAccess access, AgentService s, CancellationToken ct)
    {
        await s.DeleteAsync(access.Workspace, agentId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<KeyCreated>> CreateKeyAsync(string agentId, CreateKeyRequest request, WorkspaceAccess access, AgentService s,
        CancellationToken ct)
    {
        var created = await s.CreateKeyAsync(access.Workspace, agentId, request, ct);
        return TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/agents/{agentId}/keys/{created.Key.Id}", created);
    }

    private static async Task<NoContent> RevokeKeyAsync(string agentId, string keyId, WorkspaceAccess access, AgentService s, CancellationToken ct)
    {
        await s.RevokeKeyAsync(access.Workspace, agentId, keyId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ReleaseAsync(string agentId, WorkspaceAccess access, ClaimService s, CancellationToken ct)
    {
        await s.ReleaseAsync(access.Workspace, agentId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<Page<AgentView>>> ListAsync([Range(1, Paging.MaxLimit)] int? limit, string? cursor, WorkspaceAccess access, AgentService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, limit, cursor, ct));

    private static async Task<Ok<AgentView>> GetAsync(string agentId, WorkspaceAccess access, AgentService s, CancellationToken ct) =>
        TypedResults.Ok((await s.FindOwnedAsync(access.Workspace, agentId, ct)).ToView());

    private static async Task<Ok<AgentView>> UpdateAsync(string agentId, UpdateAgentRequest request, WorkspaceAccess access, AgentService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateAsync(access.Workspace, agentId, request, ct));

    private static async Task<Ok<AgentView>> MakeDefaultAsync(string agentId, WorkspaceAccess access, AgentService s, CancellationToken ct) =>
        TypedResults.Ok(await s.MakeDefaultAsync(access.Workspace, agentId, ct));

    private static async Task<Ok<Page<KeyView>>> ListKeysAsync(string agentId, WorkspaceAccess access, AgentService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListKeysAsync(access.Workspace, agentId, ct));

    private static async Task<Ok<AgentView>> ClaimAsync(ClaimRequest request, WorkspaceAccess access, ClaimService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ClaimAsync(access.Workspace, request, ct));

    private static Ok<AgentView> GetOwn(Caller caller) => TypedResults.Ok(caller.Agent!.ToView());

    private static async Task<Ok<AgentView>> UpdateOwnAsync(UpdateAgentRequest request, Caller caller, AgentSelfService s, CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateMeAsync(caller, request, ct));

    private static Ok<PassportIssued> MintPassport(PassportRequest? request, Caller caller, AgentSelfService s) =>
        TypedResults.Ok(s.IssuePassport(caller, request ?? new PassportRequest(null)));

    private static async Task<Ok<PendingOnly>> StartRotationAsync(Caller caller, RegistrationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.StartRotationAsync(caller, ct));

    private static async Task<Ok<RotatedKey>> FinishRotationAsync(PendingCodeRequest request, Caller caller, RegistrationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.FinishRotationAsync(caller, request, ct));

    private static async Task<Ok<PublicAgentView>> GetProfileAsync(string handle, AgentSelfService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetPublicAsync(handle, ct));

    private static async Task<Ok<Page<PublicAgentView>>> DirectoryAsync([Required, StringLength(50, MinimumLength = 2)] string? q, [Range(1, AgentSelfService.DirectoryMaxLimit)] int? limit, AgentSelfService s, CancellationToken ct) =>
        TypedResults.Ok(await s.DirectoryAsync(q, limit, ct));

    private static async Task<Ok<PendingCreated>> RegisterAsync(RegisterRequest request, RegistrationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.RegisterAsync(request, ct));

    private static async Task<Ok<PendingOnly>> StartRecoveryAsync(EmailRequest request, RegistrationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.StartRecoveryAsync(request, ct));

    private static async Task<Ok<RecoveredKey>> FinishRecoveryAsync(PendingCodeRequest request, RegistrationService s, CancellationToken ct) =>
        TypedResults.Ok(await s.FinishRecoveryAsync(request, ct));

    private static Ok<JwksDocument> Jwks(SigningKeys keys) =>
        TypedResults.Ok(new JwksDocument([.. keys.All.Select(k => JsonDocument.Parse(k.PublicJwk).RootElement)]));

    private static async Task<Created<AgentCreated>> VerifyRegistrationAsync(PendingCodeRequest request, RegistrationService s, CancellationToken ct)
    {
        var created = await s.VerifyRegistrationAsync(request, ct);
        return TypedResults.Created("/v1/agents/me", created);
    }
}

internal sealed record JwksDocument(IReadOnlyList<JsonElement> Keys);
