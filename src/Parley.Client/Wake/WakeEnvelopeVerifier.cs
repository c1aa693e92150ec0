using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Parley.Client.Wake;

/// <summary>A wake envelope that passed every check: what the listener may act on.</summary>
public sealed record WakeEnvelope(
    string WakeId, string RunId, string AgentId, string AgentHandle, string Reason, string? RoomId, string? MentionId, string? TaskId,
    string? MessageId, bool CrossOwner, bool Constrained, string Prompt, DateTimeOffset ExpiresAt);

/// <summary>Why an envelope was refused: <c>signature</c>, <c>type</c>, <c>audience</c>, <c>expired</c>, <c>replayed</c> or <c>malformed</c>.</summary>
public sealed class WakeRejectedException(string reason, string message) : Exception(message)
{
    /// <summary>The check that failed.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Checks wake envelopes as wake.md requires before a listener runs anything: an ES256 signature by one of the
/// server's keys (<c>/.well-known/jwks.json</c>, fetched again once when an unknown <c>kid</c> appears, for key
/// rotation), <c>typ: parley-wake+jwt</c>, <c>aud</c> = this device, <c>exp</c> within ±300 s of the server's time,
/// and a <c>jti</c> this verifier has not accepted before (remembered until it could no longer pass the lifetime
/// check anyway).
/// </summary>
public sealed class WakeEnvelopeVerifier : IDisposable
{
    /// <summary>The clock skew allowed on <c>exp</c> (wake.md).</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(300);

    private const string EnvelopeType = "parley-wake+jwt";
    private readonly Func<CancellationToken, Task<string>> _fetchKeys;
    private readonly string _deviceId;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _keysLock = new(1, 1);
    private JsonWebKeySet? _keys;
    private DateTimeOffset _keysFetchedAt;

    /// <summary>A verifier for one device; <paramref name="fetchKeys"/> returns the JWKS document.</summary>
    public WakeEnvelopeVerifier(Func<CancellationToken, Task<string>> fetchKeys, string deviceId, TimeProvider? time = null)
    {
        _fetchKeys = fetchKeys;
        _deviceId = deviceId;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A verifier that reads the keys from the client's server.</summary>
    public static WakeEnvelopeVerifier For(ParleyClient client, string deviceId, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new WakeEnvelopeVerifier(async ct =>
        {
            using var response = await client.SendRawAsync(HttpMethod.Get, ".well-known/jwks.json", null, ct);
            return await response.Content.ReadAsStringAsync(ct);
        }, deviceId, time);
    }

    /// <summary>The server's clock minus this machine's (from <see cref="ListenerConnected.Offset"/>); lifetimes are judged on the server's time.</summary>
    public TimeSpan ServerOffset { get; set; }

    /// <summary>Checks an envelope and remembers its <c>jti</c>; throws <see cref="WakeRejectedException"/> when any check fails.</summary>
    public async Task<WakeEnvelope> VerifyAsync(string envelope, CancellationToken cancellationToken = default)
    {
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(envelope);
        }
        catch (ArgumentException e)
        {
            throw new WakeRejectedException("malformed", "The envelope is not a compact JWS: " + e.Message);
        }
        var keys = await KeysAsync(token.Kid, cancellationToken);
        var result = await _handler.ValidateTokenAsync(envelope, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ValidTypes = [EnvelopeType],
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = true,
        });
        if (!result.IsValid)
        {
            var reason = result.Exception is SecurityTokenInvalidTypeException ? "type" : "signature";
            throw new WakeRejectedException(reason, $"The envelope failed its {reason} check: {result.Exception?.Message}");
        }
        if (!token.Audiences.Contains(_deviceId, StringComparer.Ordinal))
        {
            throw new WakeRejectedException("audience", "The envelope is for another device.");
        }
        var now = _time.GetUtcNow() + ServerOffset;
        var expires = new DateTimeOffset(token.ValidTo, TimeSpan.Zero);
        if (expires + Skew < now || new DateTimeOffset(token.IssuedAt, TimeSpan.Zero) - Skew > now)
        {
            throw new WakeRejectedException("expired", $"The envelope expired at {expires:O}.");
        }
        Forget(now);
        if (string.IsNullOrEmpty(token.Id) || !_seen.TryAdd(token.Id, expires + Skew))
        {
            throw new WakeRejectedException("replayed", $"The envelope {token.Id} was already used.");
        }
        string? Claim(string name) => token.TryGetPayloadValue<string>(name, out var value) ? value : null;
        bool Flag(string name) => token.TryGetPayloadValue<bool>(name, out var value) && value;
        return new WakeEnvelope(token.Id, Claim("run_id") ?? throw new WakeRejectedException("malformed", "The envelope has no run_id."),
            Claim("agent_id") ?? "", Claim("agent_handle") ?? "", Claim("reason") ?? "", Claim("room_id"), Claim("mention_id"), Claim("task_id"),
            Claim("message_id"), Flag("cross_owner"), Flag("constrained"), Claim("prompt") ?? "", expires);
    }

    /// <inheritdoc />
    public void Dispose() => _keysLock.Dispose();

    private void Forget(DateTimeOffset now)
    {
        foreach (var (jti, until) in _seen)
        {
            if (until < now)
            {
                _seen.TryRemove(jti, out _);
            }
        }
    }

    /// <summary>The server's keys; fetched again when the envelope names a key we do not have (at most once a minute).</summary>
    private async Task<JsonWebKeySet> KeysAsync(string? kid, CancellationToken cancellationToken)
    {
        await _keysLock.WaitAsync(cancellationToken);
        try
        {
            var known = _keys is not null && (kid is null || _keys.Keys.Any(k => k.Kid == kid));
            if (_keys is null || (!known && _time.GetUtcNow() - _keysFetchedAt > TimeSpan.FromMinutes(1)))
            {
                _keys = new JsonWebKeySet(await _fetchKeys(cancellationToken));
                _keysFetchedAt = _time.GetUtcNow();
            }
            return _keys;
        }
        finally
        {
            _keysLock.Release();
        }
    }
}
