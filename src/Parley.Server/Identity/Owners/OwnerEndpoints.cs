using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Idempotency;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;

namespace Parley.Server.Identity.Owners;

internal static class OwnerEndpoints
{
    public static IEndpointRouteBuilder MapOwnerAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/v1/auth").WithTags("Owners");
        auth.MapPost("/signup", SignupAsync).WithName("Signup").WithSummary("Create an owner account and its personal workspace.")
            .RateLimited("auth").ProducesErrors(ErrorCodes.EmailTaken);
        auth.MapPost("/login", LoginAsync).WithName("Login").WithSummary("Sign in with email and password.")
            .RateLimited("auth").ProducesErrors(ErrorCodes.Unauthorized);
        // Refresh has its own replay rule (the previous token returns the same pair for 10 s), and its reuse detection
        // must commit a revocation while answering an error: it takes no part in Idempotency-Key.
        auth.MapPost("/refresh", RefreshAsync).WithName("Refresh").WithSummary("Rotate the refresh token for a new pair.")
            .WithMetadata(new SkipIdempotencyMetadata()).ProducesErrors(ErrorCodes.Unauthorized, ErrorCodes.TokenRevoked);
        auth.MapPost("/password-reset", StartResetAsync).WithName("StartPasswordReset").WithSummary("Mail a reset code (same answer for unknown emails).")
            .RateLimited("auth").ProducesErrors(ErrorCodes.RateLimited);
        auth.MapPost("/password-reset/verify", FinishResetAsync).WithName("FinishPasswordReset").WithSummary("Set a new password; signs out everywhere.")
            .RateLimited("auth").ProducesErrors(ErrorCodes.InvalidCode, ErrorCodes.CodeExpired, ErrorCodes.OtpAttemptsExhausted);

        var signedIn = auth.MapGroup("").RequireOwner().WithoutTerms();
        signedIn.MapPost("/verify-email", VerifyEmailAsync).WithName("VerifyEmail").WithSummary("Confirm the account's email with the mailed code.")
            .ProducesErrors(ErrorCodes.InvalidCode, ErrorCodes.CodeExpired, ErrorCodes.OtpAttemptsExhausted);
        signedIn.MapPost("/logout", LogoutAsync).WithName("Logout").WithSummary("Sign out this session, or every session.");
        signedIn.MapPost("/accept-terms", AcceptTermsAsync).WithName("AcceptTerms").WithSummary("Accept the instance's current terms.");
        return app;
    }

    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/v1/me").WithTags("Owners").RequireOwner();
        me.MapGet("", GetMeAsync).WithName("GetMe").WithSummary("The account and its workspaces with roles.").WithoutTerms();
        me.MapPost("/tokens", CreateTokenAsync).WithName("CreatePersonalToken").WithSummary("A personal access token (shown once).");
        me.MapGet("/tokens", ListTokensAsync).WithName("ListPersonalTokens").WithSummary("The account's personal access tokens.");
        me.MapDelete("/tokens/{tokenId}", DeleteTokenAsync).WithName("DeletePersonalToken").WithSummary("Revoke a personal access token.")
            .ProducesErrors(ErrorCodes.NotFound);
        me.MapGet("/invites", ListInvitesAsync).WithName("ListMyInvites").WithSummary("Workspace invitations addressed to this account.");
        me.MapPost("/invites/{inviteId}/accept", AcceptInviteAsync).WithName("AcceptWorkspaceInvite").WithSummary("Join the workspace.").ProducesErrors(ErrorCodes.NotFound);
        me.MapDelete("/invites/{inviteId}", DeclineInviteAsync).WithName("DeclineWorkspaceInvite").WithSummary("Decline an invitation.")
            .ProducesErrors(ErrorCodes.NotFound);
        return app;
    }

    private static async Task<Created<SignupResponse>> SignupAsync(SignupRequest request, OwnerAuthService service, CancellationToken ct) =>
        TypedResults.Created("/v1/me", await service.SignupAsync(request, ct));

    private static async Task<Ok<TokenPair>> LoginAsync(LoginRequest request, OwnerAuthService service, CancellationToken ct) =>
        TypedResults.Ok(await service.LoginAsync(request, ct));

    private static async Task<Ok<TokenPair>> RefreshAsync(RefreshRequest request, OwnerAuthService service, CancellationToken ct) =>
        TypedResults.Ok(await service.RefreshAsync(request, ct));

    private static async Task<Ok<PendingOnly>> StartResetAsync(EmailRequest request, OwnerAuthService service, CancellationToken ct) =>
        TypedResults.Ok(await service.StartPasswordResetAsync(request, ct));

    private static async Task<NoContent> FinishResetAsync(PasswordResetVerifyRequest request, OwnerAuthService service, CancellationToken ct)
    {
        await service.FinishPasswordResetAsync(request, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> VerifyEmailAsync(CodeRequest request, Caller caller, OwnerAuthService service, CancellationToken ct)
    {
        await service.VerifyEmailAsync(caller, request, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> LogoutAsync(LogoutRequest? request, Caller caller, OwnerAuthService service, CancellationToken ct)
    {
        await service.LogoutAsync(caller, request ?? new LogoutRequest(false), ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> AcceptTermsAsync(AcceptTermsRequest request, Caller caller, OwnerAuthService service, CancellationToken ct)
    {
        await service.AcceptTermsAsync(caller, request, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<MeResponse>> GetMeAsync(Caller caller, MeService service, CancellationToken ct) =>
        TypedResults.Ok(await service.GetAsync(caller, ct));

    private static async Task<Ok<Page<PersonalTokenView>>> ListTokensAsync(Caller caller, MeService service, CancellationToken ct) =>
        TypedResults.Ok(await service.ListTokensAsync(caller, ct));

    private static async Task<Ok<Page<WorkspaceInviteView>>> ListInvitesAsync(Caller caller, MeService service, CancellationToken ct) =>
        TypedResults.Ok(await service.ListInvitesAsync(caller, ct));

    private static async Task<Ok<WorkspaceWithRole>> AcceptInviteAsync(string inviteId, Caller caller, MeService service, CancellationToken ct) =>
        TypedResults.Ok(await service.AcceptInviteAsync(caller, inviteId, ct));

    private static async Task<Created<PersonalTokenCreated>> CreateTokenAsync(CreateTokenRequest request, Caller caller, MeService service, CancellationToken ct)
    {
        var created = await service.CreateTokenAsync(caller, request, ct);
        return TypedResults.Created($"/v1/me/tokens/{created.Token.Id}", created);
    }

    private static async Task<NoContent> DeleteTokenAsync(string tokenId, Caller caller, MeService service, CancellationToken ct)
    {
        await service.DeleteTokenAsync(caller, tokenId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> DeclineInviteAsync(string inviteId, Caller caller, MeService service, CancellationToken ct)
    {
        await service.DeclineInviteAsync(caller, inviteId, ct);
        return TypedResults.NoContent();
    }
}
