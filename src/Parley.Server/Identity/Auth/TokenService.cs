using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Parley.Server.Data;
using Parley.Server.Platform;
using Parley.Server.Platform.Security;

namespace Parley.Server.Identity.Auth;

/// <summary>
/// The JWT signing keys (ES256), shared by every node through the database, private parts sealed under the master key.
/// The first node to start creates one; the others load it. Unknown key ids are looked up again, so a key made by
/// another node is found.
/// </summary>
internal sealed class SigningKeys(IServiceScopeFactory scopes, SecretBox box, Ids ids, TimeProvider time)
{
    private const string Purpose = "signing-key";
    private volatile IReadOnlyList<LoadedKey> _keys = [];

    internal sealed record LoadedKey(string Id, ECDsaSecurityKey Key, string PublicJwk, bool Active);

    public LoadedKey Active => _keys.FirstOrDefault(k => k.Active) ?? throw new InvalidOperationException("No signing key loaded.");

    public IReadOnlyList<LoadedKey> All => _keys;

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var writes = scope.ServiceProvider.GetRequiredService<Writes>();
        await writes.RunAsync(async ct =>
        {
            await writes.LockAsync(ct, LockKeys.SigningKeys);
            if (!await writes.Db.SigningKeys.AnyAsync(k => k.Active, ct))
            {
                using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var id = ids.New("sk");
                var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ec.ExportParameters(false))) { KeyId = id });
                writes.Db.SigningKeys.Add(new SigningKey
                {
                    Id = id,
                    PrivateKey = box.Seal(ec.ExportECPrivateKey(), Purpose),
                    PublicJwk = JsonSerializer.Serialize(new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = id, use = "sig", alg = "ES256" }),
                    Active = true,
                    CreatedAt = time.NowMs(),
                });
            }
        }, cancellationToken);
        await ReloadAsync(cancellationToken);
    }

    public async Task<SecurityKey?> FindAsync(string? keyId, CancellationToken cancellationToken)
    {
        var found = _keys.FirstOrDefault(k => k.Id == keyId);
        if (found is null && keyId is not null)
        {
            await ReloadAsync(cancellationToken);
            found = _keys.FirstOrDefault(k => k.Id == keyId);
        }
        return found?.Key;
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        var rows = await db.SigningKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync(cancellationToken);
        _keys = [.. rows.Select(r =>
        {
            var ec = ECDsa.Create();
            ec.ImportECPrivateKey(box.Open(r.PrivateKey, Purpose), out _);
            return new LoadedKey(r.Id, new ECDsaSecurityKey(ec) { KeyId = r.Id }, r.PublicJwk, r.Active);
        })];
    }
}

/// <summary>Why a JWT was refused.</summary>
internal enum TokenFailure
{
    Malformed,
    Signature,
    Expired,
}

internal sealed class TokenRejectedException(TokenFailure failure) : Exception(failure.ToString())
{
    public TokenFailure Failure { get; } = failure;
}

/// <summary>
/// Issues and checks Parley's JWTs: owner access tokens (<c>aud</c> = <c>parley-owner</c>) and agent passports
/// (<c>aud</c> = <c>parley-passport</c>). Lifetimes are checked against the injected clock, not the library's.
/// </summary>
internal sealed class TokenService(SigningKeys keys, TimeProvider time, IOptions<IdentityOptions> options)
{
    public const string Issuer = "parley";
    public const string OwnerAudience = "parley-owner";
    public const string PassportAudience = "parley-passport";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    private IdentityLimits Limits => options.Value.Limits;

    public (string Token, int ExpiresIn) IssueAccessToken(string accountId, string sessionId)
    {
        var lifetime = Limits.AccessTokenMinutes * 60;
        return (Sign(new Dictionary<string, object>
        {
            ["sub"] = accountId,
            ["sid"] = sessionId,
            ["aud"] = OwnerAudience,
        }, lifetime).Token, lifetime);
    }

    /// <summary>A passport: <c>sub</c> = plate, <c>aid</c> = agent id, <c>own</c> = owner workspace at minting, <c>scopes</c>, <c>kid</c> = the API key it came from.</summary>
    public (string Token, DateTimeOffset ExpiresAt) IssuePassport(string agentId, string plate, string? ownerWorkspaceId, string apiKeyId, IEnumerable<string> scopes)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = plate,
            ["aid"] = agentId,
            ["scopes"] = scopes.ToArray(),
            ["kid"] = apiKeyId,
            ["aud"] = PassportAudience,
        };
        if (ownerWorkspaceId is not null)
        {
            claims["own"] = ownerWorkspaceId;
        }
        return Sign(claims, Limits.PassportMinutes * 60);
    }

    /// <summary>
    /// A run's passport: like a key's, but it names the run (<c>run</c>) instead of a key, and lives only while the run
    /// does (<see cref="IRunPassports"/>).
    /// </summary>
    public (string Token, DateTimeOffset ExpiresAt) IssueRunPassport(string agentId, string plate, string? ownerWorkspaceId, string runId, IEnumerable<string> scopes)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = plate,
            ["aid"] = agentId,
            ["scopes"] = scopes.ToArray(),
            ["run"] = runId,
            ["aud"] = PassportAudience,
        };
        if (ownerWorkspaceId is not null)
        {
            claims["own"] = ownerWorkspaceId;
        }
        return Sign(claims, Limits.PassportMinutes * 60);
    }

    /// <summary>
    /// A wake envelope (wake.md): a compact JWS, ES256 with the passport keys (<c>kid</c>, <c>typ: parley-wake+jwt</c>),
    /// <c>iss</c> the public base URL, <c>aud</c> the device, <c>jti</c> the wake, valid 300 s.
    /// </summary>
    public string SignWake(Dictionary<string, object> claims, string issuer, string deviceId, string wakeId)
    {
        var now = time.GetUtcNow();
        claims["iss"] = issuer;
        claims["aud"] = deviceId;
        claims["jti"] = wakeId;
        claims["iat"] = now.ToUnixTimeSeconds();
        claims["exp"] = now.AddSeconds(WakeLifetimeSeconds).ToUnixTimeSeconds();
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            TokenType = WakeTokenType,
            SigningCredentials = new SigningCredentials(keys.Active.Key, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public const string WakeTokenType = "parley-wake+jwt";

    /// <summary>The <c>typ</c> of the identity a governed call presents to its destination (<c>Parley-Agent-Identity</c>).</summary>
    public const string IdentityTokenType = "parley-identity+jwt";

    /// <summary>
    /// An agent's identity for one destination host (gateway.md): <c>aud</c> the host, five minutes, <c>aid</c> (the
    /// agent's id), <c>sub</c> (its plate), <c>own</c> (its owner's workspace), <c>iss</c>; verifiable with the JWKS.
    /// </summary>
    public string SignIdentity(string agentId, string plate, string? ownerWorkspaceId, string audience)
    {
        var now = time.GetUtcNow();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer, ["aud"] = audience, ["aid"] = agentId, ["sub"] = plate, ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(), ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (ownerWorkspaceId is not null)
        {
            claims["own"] = ownerWorkspaceId;
        }
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            TokenType = IdentityTokenType,
            SigningCredentials = new SigningCredentials(keys.Active.Key, SecurityAlgorithms.EcdsaSha256),
        });
    }
    public const int WakeLifetimeSeconds = 300;

    private (string Token, DateTimeOffset ExpiresAt) Sign(Dictionary<string, object> claims, int lifetimeSeconds)
    {
        var now = time.GetUtcNow();
        var expires = now.AddSeconds(lifetimeSeconds);
        claims["iss"] = Issuer;
        claims["iat"] = now.ToUnixTimeSeconds();
        claims["exp"] = expires.ToUnixTimeSeconds();
        claims["jti"] = Guid.NewGuid().ToString("N");
        var active = keys.Active;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(active.Key, SecurityAlgorithms.EcdsaSha256),
        });
        return (token, expires);
    }

    /// <summary>The audience of something that looks like a JWT, without trusting it; null when it is not one.</summary>
    public static string? PeekAudience(string token)
    {
        if (token.Count(c => c == '.') != 2)
        {
            return null;
        }
        try
        {
            return new JsonWebToken(token).Audiences.FirstOrDefault() ?? "";
        }
        catch (ArgumentException)
        {
            return ""; // includes SecurityTokenMalformedException
        }
    }

    public async Task<JsonWebToken> ValidateAsync(string token, string audience, CancellationToken cancellationToken)
    {
        JsonWebToken parsed;
        try
        {
            parsed = new JsonWebToken(token);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            throw new TokenRejectedException(TokenFailure.Malformed);
        }
        var key = await keys.FindAsync(parsed.Kid, cancellationToken);
        if (key is null)
        {
            throw new TokenRejectedException(TokenFailure.Signature);
        }
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidIssuer = Issuer,
            ValidAudience = audience,
            ValidateLifetime = false, // checked below against the injected clock
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        });
        if (!result.IsValid)
        {
            throw new TokenRejectedException(result.Exception is SecurityTokenMalformedException ? TokenFailure.Malformed : TokenFailure.Signature);
        }
        if (!parsed.TryGetPayloadValue<long>("exp", out var exp) || exp <= time.GetUtcNow().ToUnixTimeSeconds())
        {
            throw new TokenRejectedException(TokenFailure.Expired);
        }
        return parsed;
    }
}
