using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform;
using Parley.Server.Platform.Security;

namespace Parley.Server.Identity.Owners;

/// <summary>
/// Owner sessions held by a browser (the dashboard): an ordinary owner session whose refresh token the browser keeps in
/// an HttpOnly cookie and never rotates. Each request checks it against the session's current state — a sign-out,
/// a "sign out everywhere" or a password reset ends it at once — and gets a short-lived access token to call the API
/// with, exactly as any other owner client does.
/// </summary>
internal sealed class BrowserSessions(OwnerAuthService owners, ParleyDb db, TokenService tokens, TimeProvider time)
{
    /// <summary>Signs in with email and password: the session's refresh token, to keep in the cookie.</summary>
    public async Task<string> SignInAsync(string? email, string? password, CancellationToken ct) =>
        (await owners.LoginAsync(new LoginRequest(email, password), ct)).RefreshToken;

    /// <summary>An access token for the session the cookie holds, or null when it is not (or no longer) a live session.</summary>
    public async Task<string?> AccessTokenAsync(string? cookie, CancellationToken ct)
    {
        if (await LiveSessionAsync(cookie, ct) is not { } session)
        {
            return null;
        }
        return tokens.IssueAccessToken(session.AccountId, session.Id).Token;
    }

    /// <summary>Ends the cookie's session (when it is still live).</summary>
    public async Task SignOutAsync(string? cookie, CancellationToken ct)
    {
        if (await LiveSessionAsync(cookie, ct) is { } session)
        {
            var now = time.NowMs();
            await db.Sessions.Where(s => s.Id == session.Id && s.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.GraceResponse, (byte[]?)null), ct);
        }
    }

    private async Task<Session?> LiveSessionAsync(string? cookie, CancellationToken ct)
    {
        if (cookie is null || !CredentialFormat.TryParse(cookie, CredentialFormat.RefreshToken, out var sessionId, out var secret))
        {
            return null;
        }
        var session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, ct);
        return session is not null && session.RevokedAt is null && session.ExpiresAt > time.NowMs()
               && CryptographicOperations.FixedTimeEquals(Secrets.Sha256(secret), session.RefreshHash)
            ? session
            : null;
    }
}
