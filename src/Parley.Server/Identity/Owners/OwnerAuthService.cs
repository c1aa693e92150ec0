using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Registration;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Governance.Plans;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Owners;

/// <summary>Owner accounts: signup, email verification, login, rotating refresh, logout, password reset, terms.</summary>
internal sealed class OwnerAuthService(
    Writes writes, Ids ids, TimeProvider time, PasswordHasher passwords, TokenService tokens, OneTimeCodes codes,
    SecretBox box, InstanceAdmins admins, PlanCatalog plans, IOptions<IdentityOptions> options)
{
    private const string GracePurpose = "refresh-grace";
    private ParleyDb Db => writes.Db;
    private IdentityLimits Limits => options.Value.Limits;
    private long Now => time.NowMs();

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    public static void ValidateEmail(Validator v, string field, string? email)
    {
        if (email is not null && (email.Length > 254 || !System.Net.Mail.MailAddress.TryCreate(email.Trim(), out var parsed)
            || parsed.Address != email.Trim() || !email.Contains('.', StringComparison.Ordinal)))
        {
            v.Add(field, "must be an email address");
        }
    }

    public async Task<SignupResponse> SignupAsync(SignupRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var email = v.Required("email", request.Email);
        ValidateEmail(v, "email", request.Email);
        var password = v.Required("password", request.Password);
        if (request.Password is { Length: < 10 })
        {
            v.Add("password", "must be at least 10 characters");
        }
        v.Length("password", request.Password, 0, 200);
        var name = v.Required("name", request.Name);
        v.Name("name", request.Name, 1, 100);
        v.ThrowIfInvalid();
        email = NormalizeEmail(email);
        var hash = passwords.Hash(password); // slow work before the write lock

        try
        {
            return await writes.RunAsync(async c =>
            {
                if (await Db.Accounts.AnyAsync(a => a.Email == email, c))
                {
                    throw EmailTaken();
                }
                var now = Now;
                var account = new Account { Id = ids.New("acct"), Email = email, Name = name.Trim(), PasswordHash = hash, CreatedAt = now };
                var workspace = new Workspace { Id = ids.New("ws"), Name = $"{account.Name}'s workspace", Plan = plans.DefaultPlanName, OwnerAccountId = account.Id, CreatedAt = now };
                Db.Accounts.Add(account);
                Db.Workspaces.Add(workspace);
                Db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, AccountId = account.Id, Role = Roles.Owner, CreatedAt = now });
                await Db.SaveChangesAsync(c);
                await codes.StartAsync(CodePurpose.VerifyEmail, email, new AccountPayload(account.Id), deliverable: true, "Verify your Parley email", c);
                var pair = NewSession(account.Id);
                return new SignupResponse(account.ToView(await admins.IsAdminAsync(account, Db, c)), workspace.ToView(), pair.AccessToken, pair.RefreshToken, pair.ExpiresIn);
            }, ct);
        }
        catch (DbUpdateException e) when (writes.IsUniqueViolation(e))
        {
            throw EmailTaken();
        }
    }

    private static ApiException EmailTaken() => new(ErrorCodes.EmailTaken, "An account already uses this email.");

    public async Task VerifyEmailAsync(Caller caller, CodeRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Required("code", request.Code);
        v.ThrowIfInvalid();
        var pending = await Db.PendingCodes.AsNoTracking()
            .Where(p => p.Email == caller.Account!.Email && p.Purpose == CodePurpose.VerifyEmail && !p.Consumed)
            .OrderByDescending(p => p.CreatedAt).Select(p => p.Id).FirstOrDefaultAsync(ct);
        var entry = await codes.CheckAsync(pending, CodePurpose.VerifyEmail, request.Code, ct);
        await writes.RunAsync(async c =>
        {
            var payload = await codes.ConsumeAsync<AccountPayload>(entry, c);
            await Db.Accounts.Where(a => a.Id == payload.AccountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.EmailVerified, true), c);
        }, ct);
    }

    /// <summary>Wrong email and wrong password answer alike, after the same work.</summary>
    public async Task<TokenPair> LoginAsync(LoginRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var email = v.Required("email", request.Email);
        var password = v.Required("password", request.Password);
        v.ThrowIfInvalid();
        var account = await Db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Email == NormalizeEmail(email), ct);
        if (account is null)
        {
            passwords.VerifyAgainstDummy(password);
            throw BadLogin();
        }
        if (!PasswordHasher.Verify(password, account.PasswordHash))
        {
            throw BadLogin();
        }
        return await writes.RunAsync(_ => Task.FromResult(NewSession(account.Id)), ct);
    }

    private static ApiException BadLogin() => new(ErrorCodes.Unauthorized, "The email or password is wrong.");

    private TokenPair NewSession(string accountId)
    {
        var now = Now;
        var (id, secret, refresh) = CredentialFormat.New(CredentialFormat.RefreshToken);
        Db.Sessions.Add(new Session
        {
            Id = id, AccountId = accountId, RefreshHash = Secrets.Sha256(secret), CreatedAt = now,
            ExpiresAt = now + (Limits.RefreshTokenDays * Clock.DayMs),
        });
        var (access, expiresIn) = tokens.IssueAccessToken(accountId, id);
        return new TokenPair(access, refresh, expiresIn);
    }

    /// <summary>
    /// Rotates the refresh token. The previous token, reused within the grace period, gets the same new pair (two tabs
    /// refreshing at once); reused later — or any older token — it revokes the whole session.
    /// </summary>
    public async Task<TokenPair> RefreshAsync(RefreshRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var presented = v.Required("refresh_token", request.RefreshToken);
        v.ThrowIfInvalid();
        if (!CredentialFormat.TryParse(presented, CredentialFormat.RefreshToken, out var sessionId, out var secret))
        {
            throw new ApiException(ErrorCodes.Unauthorized, "The refresh token is not valid.");
        }
        var outcome = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.Session(sessionId));
            var session = await Db.Sessions.FirstOrDefaultAsync(s => s.Id == sessionId, c);
            var now = Now;
            if (session is null || session.ExpiresAt <= now)
            {
                return RefreshOutcome.Unknown;
            }
            if (session.RevokedAt is not null)
            {
                return RefreshOutcome.Revoked;
            }
            var hash = Secrets.Sha256(secret);
            if (CryptographicOperations.FixedTimeEquals(hash, session.RefreshHash))
            {
                var newSecret = CredentialFormat.NewSecret();
                var newToken = CredentialFormat.Compose(CredentialFormat.RefreshToken, session.Id, newSecret);
                var (access, expiresIn) = tokens.IssueAccessToken(session.AccountId, session.Id);
                var pair = new TokenPair(access, newToken, expiresIn);
                session.PreviousRefreshHash = session.RefreshHash;
                session.RefreshHash = Secrets.Sha256(newSecret);
                session.RotatedAt = now;
                session.GraceResponse = box.Seal(JsonSerializer.SerializeToUtf8Bytes(pair), GracePurpose);
                return new RefreshOutcome(pair);
            }
            if (session.PreviousRefreshHash is { } previous && CryptographicOperations.FixedTimeEquals(hash, previous)
                && now - session.RotatedAt <= Limits.RefreshGraceSeconds * 1000L && session.GraceResponse is { } grace)
            {
                return new RefreshOutcome(JsonSerializer.Deserialize<TokenPair>(box.Open(grace, GracePurpose)));
            }
            // A rotated token came back: someone else may hold it. End the session everywhere it is used.
            session.RevokedAt = now;
            session.GraceResponse = null;
            return RefreshOutcome.Revoked;
        }, ct);
        return outcome.Pair ?? throw (outcome == RefreshOutcome.Revoked
            ? new ApiException(ErrorCodes.TokenRevoked, "This session was revoked.")
            : new ApiException(ErrorCodes.Unauthorized, "The refresh token is not valid."));
    }

    private sealed record RefreshOutcome(TokenPair? Pair)
    {
        public static readonly RefreshOutcome Unknown = new((TokenPair?)null);
        public static readonly RefreshOutcome Revoked = new((TokenPair?)null);
    }

    public Task LogoutAsync(Caller caller, LogoutRequest request, CancellationToken ct)
    {
        var now = Now;
        var everywhere = request.Everywhere == true || caller.Credential != CredentialKind.Session;
        return writes.RunAsync(c => Db.Sessions
            .Where(s => s.AccountId == caller.Account!.Id && s.RevokedAt == null && (everywhere || s.Id == caller.CredentialId))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.GraceResponse, (byte[]?)null), c), ct);
    }

    /// <summary>The same answer whether or not the email has an account.</summary>
    public async Task<PendingOnly> StartPasswordResetAsync(EmailRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var email = NormalizeEmail(v.Required("email", request.Email));
        v.ThrowIfInvalid();
        return await writes.RunAsync(async c =>
        {
            var account = await Db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Email == email, c);
            var pending = await codes.StartAsync(CodePurpose.PasswordReset, email, new AccountPayload(account?.Id ?? ""),
                deliverable: account is not null, "Reset your Parley password", c);
            return new PendingOnly(pending.Id);
        }, ct);
    }

    public async Task FinishPasswordResetAsync(PasswordResetVerifyRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Required("pending_id", request.PendingId);
        v.Required("code", request.Code);
        var password = v.Required("new_password", request.NewPassword);
        if (request.NewPassword is { Length: < 10 })
        {
            v.Add("new_password", "must be at least 10 characters");
        }
        v.ThrowIfInvalid();
        var entry = await codes.CheckAsync(request.PendingId, CodePurpose.PasswordReset, request.Code, ct);
        var hash = passwords.Hash(password);
        var now = Now;
        await writes.RunAsync(async c =>
        {
            var payload = await codes.ConsumeAsync<AccountPayload>(entry, c);
            await Db.Accounts.Where(a => a.Id == payload.AccountId).ExecuteUpdateAsync(s => s.SetProperty(a => a.PasswordHash, hash), c);
            await Db.Sessions.Where(s => s.AccountId == payload.AccountId && s.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.GraceResponse, (byte[]?)null), c);
        }, ct);
    }

    public Task AcceptTermsAsync(Caller caller, AcceptTermsRequest request, CancellationToken ct)
    {
        var current = options.Value.Terms.Version;
        var v = new Validator();
        var version = v.Required("version", request.Version);
        if (!string.IsNullOrEmpty(current) && request.Version is not null && request.Version != current)
        {
            v.Add("version", $"must be the current version, {current}");
        }
        v.ThrowIfInvalid();
        return writes.RunAsync(c => Db.Accounts.Where(a => a.Id == caller.Account!.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.TermsAccepted, version), c), ct);
    }

    internal sealed record AccountPayload(string AccountId);
}
