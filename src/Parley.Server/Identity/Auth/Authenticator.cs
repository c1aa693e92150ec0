using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Owners;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Security;
using Parley.Server.Platform;

namespace Parley.Server.Identity.Auth;

/// <summary>One kind of credential: recognises its tokens and turns a valid one into a <see cref="Caller"/>.</summary>
internal interface ICredentialScheme
{
    bool Recognises(string credential);

    /// <summary>The caller, or an <see cref="ApiException"/> with the catalog code that says why not.</summary>
    Task<Caller> AuthenticateAsync(string credential, CancellationToken cancellationToken);
}

/// <summary>
/// Picks the scheme by the credential's form (its prefix, or a JWT's audience) and authenticates. Used by the HTTP
/// middleware and by the WebSocket's first-frame authentication alike. Every lookup reads current state from the
/// database, so a revocation, deletion or suspension holds on every node the moment it commits; there is no
/// credential cache to invalidate.
/// </summary>
internal sealed class Authenticator(IEnumerable<ICredentialScheme> schemes)
{
    public Task<Caller> AuthenticateAsync(string credential, CancellationToken cancellationToken)
    {
        foreach (var scheme in schemes)
        {
            if (scheme.Recognises(credential))
            {
                return scheme.AuthenticateAsync(credential, cancellationToken);
            }
        }
        throw Unauthorized();
    }

    public static ApiException Unauthorized() => new(ErrorCodes.Unauthorized, "A valid credential is required.");
}

/// <summary>Shared lookups of the schemes.</summary>
internal sealed class CredentialLookup(ParleyDb db, TimeProvider time, InstanceAdmins admins)
{
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>The key and its agent in one indexed lookup.</summary>
    public Task<(ApiKey Key, Agent Agent)?> FindKeyAsync(string keyId, CancellationToken ct) => AgentQueries.KeyWithAgentAsync(db, keyId, ct);

    public Task<Agent?> FindAgentAsync(string agentId, CancellationToken ct) => AgentQueries.ByIdAsync(db, agentId, ct);

    public Task<Account?> FindAccountAsync(string accountId, CancellationToken ct) =>
        db.Accounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId, ct);

    public async Task<Caller> OwnerAsync(Account account, CredentialKind kind, string credentialId, CancellationToken ct) => new()
    {
        Kind = CallerKind.Account,
        Credential = kind,
        CredentialId = credentialId,
        Account = account,
        IsInstanceAdmin = await admins.IsAdminAsync(account, ct),
    };

    /// <summary>Records use at most once a minute, so authentication does not write on every request.</summary>
    public async Task TouchKeyAsync(ApiKey key, CancellationToken ct)
    {
        var now = time.NowMs();
        if (key.LastUsedAt is null || key.LastUsedAt < now - (long)LastUsedResolution.TotalMilliseconds)
        {
            var stale = now - (long)LastUsedResolution.TotalMilliseconds;
            await db.ApiKeys.Where(k => k.Id == key.Id && (k.LastUsedAt == null || k.LastUsedAt < stale))
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct);
        }
    }

    public long Now => time.NowMs();
}

/// <summary>Agent secret keys (<c>prl_sk_…</c>) and publishable keys (<c>prl_pk_…</c>).</summary>
internal sealed class AgentKeyScheme(CredentialLookup lookup, string prefix, string kind, CredentialKind credentialKind) : ICredentialScheme
{
    public bool Recognises(string credential) => credential.StartsWith(prefix, StringComparison.Ordinal);

    public async Task<Caller> AuthenticateAsync(string credential, CancellationToken cancellationToken)
    {
        if (!CredentialFormat.TryParse(credential, prefix, out var id, out var secret)
            || await lookup.FindKeyAsync(id, cancellationToken) is not var (key, agent)
            || key.Kind != kind || !Secrets.MatchesHash(secret, key.SecretHash) || agent.Status == AgentStatus.Deleted)
        {
            throw Authenticator.Unauthorized();
        }
        if (key.RevokedAt is not null)
        {
            throw new ApiException(ErrorCodes.Revoked, "This key was revoked.", ApiErrors.Details(("subject", "key")));
        }
        await lookup.TouchKeyAsync(key, cancellationToken);
        return new Caller
        {
            Kind = CallerKind.Agent,
            Credential = credentialKind,
            CredentialId = key.Id,
            Agent = agent,
            Scopes = Scopes.Parse(key.Scopes),
        };
    }
}

/// <summary>Personal access tokens (<c>prl_pat_…</c>): act as the owner until they expire or are deleted.</summary>
internal sealed class PersonalTokenScheme(CredentialLookup lookup, ParleyDb db) : ICredentialScheme
{
    public bool Recognises(string credential) => credential.StartsWith(CredentialFormat.PersonalToken, StringComparison.Ordinal);

    public async Task<Caller> AuthenticateAsync(string credential, CancellationToken cancellationToken)
    {
        if (!CredentialFormat.TryParse(credential, CredentialFormat.PersonalToken, out var id, out var secret)
            || await db.PersonalAccessTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken) is not { } token
            || !Secrets.MatchesHash(secret, token.SecretHash) || token.ExpiresAt <= lookup.Now
            || await lookup.FindAccountAsync(token.AccountId, cancellationToken) is not { } account)
        {
            throw Authenticator.Unauthorized();
        }
        return await lookup.OwnerAsync(account, CredentialKind.PersonalToken, token.Id, cancellationToken);
    }
}

/// <summary>Owner session access tokens: JWTs whose session must not be signed out.</summary>
internal sealed class OwnerSessionScheme(CredentialLookup lookup, TokenService tokens, ParleyDb db) : ICredentialScheme
{
    /// <summary>Anything JWT-shaped that is not a passport is judged as an owner token (so a forged one is INVALID_TOKEN).</summary>
    public bool Recognises(string credential) => TokenService.PeekAudience(credential) is { } audience && audience != TokenService.PassportAudience;

    public async Task<Caller> AuthenticateAsync(string credential, CancellationToken cancellationToken)
    {
        Microsoft.IdentityModel.JsonWebTokens.JsonWebToken jwt;
        try
        {
            jwt = await tokens.ValidateAsync(credential, TokenService.OwnerAudience, cancellationToken);
        }
        catch (TokenRejectedException e)
        {
            throw e.Failure == TokenFailure.Expired
                ? new ApiException(ErrorCodes.TokenExpired, "The access token has expired; refresh it.")
                : new ApiException(ErrorCodes.InvalidToken, "The access token is malformed or its signature is wrong.");
        }
        var sessionId = jwt.GetPayloadValue<string>("sid");
        var session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session is null || await lookup.FindAccountAsync(jwt.Subject, cancellationToken) is not { } account)
        {
            throw Authenticator.Unauthorized();
        }
        if (session.RevokedAt is not null)
        {
            throw new ApiException(ErrorCodes.TokenRevoked, "This session was signed out.");
        }
        return await lookup.OwnerAsync(account, CredentialKind.Session, session.Id, cancellationToken);
    }
}

/// <summary>
/// Agent passports: accepted wherever a secret key is. Authorization uses the agent's current state; the key the
/// passport came from must still be live; its scopes are those of the passport within the key's current ones.
/// </summary>
internal sealed class PassportScheme(CredentialLookup lookup, TokenService tokens, IRunPassports runs) : ICredentialScheme
{
    public bool Recognises(string credential) => TokenService.PeekAudience(credential) == TokenService.PassportAudience;

    public async Task<Caller> AuthenticateAsync(string credential, CancellationToken cancellationToken)
    {
        Microsoft.IdentityModel.JsonWebTokens.JsonWebToken jwt;
        try
        {
            jwt = await tokens.ValidateAsync(credential, TokenService.PassportAudience, cancellationToken);
        }
        catch (TokenRejectedException e)
        {
            throw new ApiException(ErrorCodes.InvalidPassport, "The passport is not valid.",
                ApiErrors.Details(("reason", e.Failure.ToString().ToLowerInvariant())));
        }
        if (jwt.TryGetPayloadValue<string>("run", out var runId) && jwt.TryGetPayloadValue<string>("aid", out var runAgentId)
            && jwt.TryGetPayloadValue<string[]>("scopes", out var runScopes))
        {
            return await RunPassportAsync(runId, runAgentId, runScopes, cancellationToken);
        }
        if (!jwt.TryGetPayloadValue<string>("kid", out var keyId) || !jwt.TryGetPayloadValue<string>("aid", out var agentId)
            || !jwt.TryGetPayloadValue<string[]>("scopes", out var granted))
        {
            throw new ApiException(ErrorCodes.InvalidPassport, "The passport lacks the claims a passport carries.",
                ApiErrors.Details(("reason", "malformed")));
        }
        if (await lookup.FindKeyAsync(keyId, cancellationToken) is not var (key, agent) || agent.Id != agentId || agent.Status == AgentStatus.Deleted)
        {
            throw Authenticator.Unauthorized();
        }
        if (key.RevokedAt is not null)
        {
            throw new ApiException(ErrorCodes.Revoked, "The key this passport came from was revoked.", ApiErrors.Details(("subject", "key")));
        }
        var current = Scopes.Parse(key.Scopes);
        return new Caller
        {
            Kind = CallerKind.Agent,
            Credential = CredentialKind.Passport,
            CredentialId = key.Id,
            Agent = agent,
            Scopes = granted.Where(current.Contains).ToHashSet(StringComparer.Ordinal),
        };
    }

    /// <summary>A run's passport holds while its run is running (or being cancelled); after, <c>REVOKED {subject: run}</c>.</summary>
    private async Task<Caller> RunPassportAsync(string runId, string agentId, string[] granted, CancellationToken ct)
    {
        if (await lookup.FindAgentAsync(agentId, ct) is not { } agent || agent.Status == AgentStatus.Deleted)
        {
            throw Authenticator.Unauthorized();
        }
        if (!await runs.IsLiveAsync(runId, agentId, ct))
        {
            throw new ApiException(ErrorCodes.Revoked, "The run this passport was made for has ended.", ApiErrors.Details(("subject", "run")));
        }
        return new Caller
        {
            Kind = CallerKind.Agent,
            Credential = CredentialKind.Passport,
            CredentialId = runId,
            Agent = agent,
            Scopes = granted.Where(Scopes.All.Contains).ToHashSet(StringComparer.Ordinal),
        };
    }
}

/// <summary>Whether a run's passport still holds: answered by the module that keeps runs (wake).</summary>
internal interface IRunPassports
{
    Task<bool> IsLiveAsync(string runId, string agentId, CancellationToken ct);
}

/// <summary>Device tokens (<c>prl_dev_…</c>): a paired listener, until its device is revoked.</summary>
internal sealed class DeviceTokenScheme(ParleyDb db) : ICredentialScheme
{
    public bool Recognises(string credential) => credential.StartsWith(CredentialFormat.DeviceToken, StringComparison.Ordinal);

    public async Task<Caller> AuthenticateAsync(string credential, CancellationToken cancellationToken)
    {
        if (!CredentialFormat.TryParse(credential, CredentialFormat.DeviceToken, out var id, out var secret)
            || await db.Devices.AsNoTracking().FirstOrDefaultAsync(d => d.TokenId == id, cancellationToken) is not { TokenHash: { } hash } device
            || !Secrets.MatchesHash(secret, hash))
        {
            throw Authenticator.Unauthorized();
        }
        if (device.Status == Devices.Device.Revoked)
        {
            throw new ApiException(ErrorCodes.Revoked, "This device was revoked.", ApiErrors.Details(("subject", "device")));
        }
        return new Caller { Kind = CallerKind.Device, Credential = CredentialKind.DeviceToken, CredentialId = device.Id, Device = device };
    }
}

/// <summary>Instance admins: <c>Admin:Emails</c>, or the first account when that is unset.</summary>
internal sealed class InstanceAdmins(IOptionsMonitor<IdentityOptions> options, IServiceScopeFactory scopes)
{
    private volatile string? _firstAccountId;

    public IReadOnlySet<string>? ConfiguredEmails =>
        options.CurrentValue.Admin.Emails is { Length: > 0 } emails
            ? emails.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries).Select(e => e.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal)
            : null;

    public async Task<bool> IsAdminAsync(Account account, CancellationToken ct)
    {
        if (ConfiguredEmails is { } emails)
        {
            return emails.Contains(account.Email);
        }
        if (_firstAccountId is null)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
            _firstAccountId = await db.Accounts.AsNoTracking().OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Select(a => a.Id).FirstOrDefaultAsync(ct);
        }
        return _firstAccountId == account.Id;
    }

    /// <summary>
    /// The same decision inside a write that has just created the account (sign-up): read in that transaction, which
    /// sees the new row, and not cached, since the transaction may yet roll back.
    /// </summary>
    public async Task<bool> IsAdminAsync(Account account, ParleyDb db, CancellationToken ct) =>
        ConfiguredEmails is { } emails
            ? emails.Contains(account.Email)
            : await db.Accounts.AsNoTracking().OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Select(a => a.Id).FirstOrDefaultAsync(ct) == account.Id;
}
