using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Platform.Idempotency;

internal enum BeginOutcome
{
    Started,
    Replay,
    Conflict,
    InProgress,
}

internal sealed record BeginResult(BeginOutcome Outcome, IdempotencyRecord? Existing = null, string? ClaimId = null);

/// <summary>The records behind <c>Idempotency-Key</c>: claiming a key, completing it, releasing it, expiring it.</summary>
internal sealed class IdempotencyStore(Writes writes, TimeProvider time, IOptions<ParleyOptions> options)
{
    private ParleyDb Db => writes.Db;

    /// <summary>Claims the key for this request, or says why not. Commits at once, before the action starts.</summary>
    public async Task<BeginResult> BeginAsync(string scope, string key, string fingerprint, CancellationToken cancellationToken)
    {
        var limits = options.Value.Limits;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = time.NowMs();
            var existing = await Db.IdempotencyRecords.AsNoTracking()
                .FirstOrDefaultAsync(r => r.Scope == scope && r.Key == key, cancellationToken);
            var claimId = Guid.NewGuid().ToString("N");
            var lockedUntil = now + (limits.IdempotencyLockSeconds * 1000L);
            var expiresAt = now + (limits.IdempotencyTtlHours * Clock.HourMs);

            if (existing is null)
            {
                try
                {
                    await writes.RunAsync(_ =>
                    {
                        Db.IdempotencyRecords.Add(new IdempotencyRecord
                        {
                            Scope = scope, Key = key, Fingerprint = fingerprint, State = IdempotencyRecord.Running, ClaimId = claimId,
                            LockedUntil = lockedUntil, ExpiresAt = expiresAt, CreatedAt = now,
                        });
                        return Task.CompletedTask;
                    }, cancellationToken);
                    return new BeginResult(BeginOutcome.Started, ClaimId: claimId);
                }
                catch (DbUpdateException e) when (writes.IsUniqueViolation(e))
                {
                    continue;
                }
            }

            var expired = existing.ExpiresAt <= now;
            if (!expired && existing.Fingerprint != fingerprint)
            {
                return new BeginResult(BeginOutcome.Conflict);
            }
            if (!expired && existing.State == IdempotencyRecord.Done)
            {
                return new BeginResult(BeginOutcome.Replay, existing);
            }
            if (!expired && existing.LockedUntil > now)
            {
                return new BeginResult(BeginOutcome.InProgress);
            }

            // An expired record, or a lock whose holder never finished: take it over, unless another request just did.
            var taken = await writes.RunAsync(ct => Db.IdempotencyRecords
                .Where(r => r.Scope == scope && r.Key == key && r.State == existing.State && r.LockedUntil == existing.LockedUntil
                    && r.ExpiresAt == existing.ExpiresAt)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Fingerprint, fingerprint)
                    .SetProperty(r => r.State, IdempotencyRecord.Running)
                    .SetProperty(r => r.ClaimId, claimId)
                    .SetProperty(r => r.LockedUntil, lockedUntil)
                    .SetProperty(r => r.ExpiresAt, expiresAt)
                    .SetProperty(r => r.CreatedAt, now)
                    .SetProperty(r => r.ResponseStatus, (int?)null)
                    .SetProperty(r => r.Response, (byte[]?)null), ct), cancellationToken);
            if (taken == 1)
            {
                return new BeginResult(BeginOutcome.Started, ClaimId: claimId);
            }
        }
        return new BeginResult(BeginOutcome.InProgress);
    }

    /// <summary>
    /// Stores the response; called inside the transaction that holds the action's writes. When the claim lapsed and
    /// another request took the key over, this request may not commit: the action rolls back with it.
    /// </summary>
    public async Task CompleteAsync(string scope, string key, string claimId, int status, byte[] sealedResponse, CancellationToken cancellationToken)
    {
        var completed = await Db.IdempotencyRecords
            .Where(r => r.Scope == scope && r.Key == key && r.ClaimId == claimId && r.State == IdempotencyRecord.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, IdempotencyRecord.Done)
                .SetProperty(r => r.ClaimId, (string?)null)
                .SetProperty(r => r.LockedUntil, 0L)
                .SetProperty(r => r.ResponseStatus, status)
                .SetProperty(r => r.Response, sealedResponse), cancellationToken);
        if (completed == 0)
        {
            throw new ApiException(ErrorCodes.IdempotentInProgress, "Another request took over this Idempotency-Key.",
                retryAfter: TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Forgets this request's claim when its response is not stored (401, 429, 5xx), so a retry runs again.</summary>
    public Task ReleaseAsync(string scope, string key, string claimId, CancellationToken cancellationToken) =>
        writes.RunAsync(ct => Db.IdempotencyRecords
            .Where(r => r.Scope == scope && r.Key == key && r.State == IdempotencyRecord.Running && r.ClaimId == claimId)
            .ExecuteDeleteAsync(ct), cancellationToken);

    /// <summary>Deletes records past their 24 hours (a background job).</summary>
    public Task<int> DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        var now = time.NowMs();
        return writes.RunAsync(ct => Db.IdempotencyRecords.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync(ct), cancellationToken);
    }
}
