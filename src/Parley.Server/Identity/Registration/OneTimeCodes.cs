using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Mailing;
using Parley.Server.Platform.Security;

namespace Parley.Server.Identity.Registration;

/// <summary>
/// Six-digit codes sent by mail for registration, recovery, rotation, email verification and password reset. One live
/// entry per email and purpose; codes live 10 minutes (<c>CODE_EXPIRED</c>); a wrong code answers
/// <c>INVALID_CODE {attempts_left}</c> and the fifth burns the entry (<c>OTP_ATTEMPTS_EXHAUSTED</c>). Codes are stored as
/// an HMAC under a key derived from the master key, so a copy of the database cannot brute-force them.
/// </summary>
internal sealed class OneTimeCodes(Writes writes, Ids ids, TimeProvider time, MasterKey masterKey, Mailer mailer, IOptions<IdentityOptions> options)
{
    private ParleyDb Db => writes.Db;
    private IdentityLimits Limits => options.Value.Limits;
    private long Now => time.NowMs();

    public int TtlSeconds => Limits.CodeTtlMinutes * 60;

    /// <summary>
    /// Starts (or, for the same email and purpose, restarts with a fresh code) a pending entry and mails the code when
    /// <paramref name="deliverable"/>. A restart within <c>CodeResendSeconds</c> answers <c>RATE_LIMITED</c>.
    /// Runs in the caller's transaction; the mail leaves after commit.
    /// </summary>
    public async Task<PendingCode> StartAsync(string purpose, string email, object payload, bool deliverable, string subject, CancellationToken ct,
        bool ignoreResendWait = false)
    {
        var now = Now;
        var code = Secrets.RandomDigits(6);
        var live = await Db.PendingCodes
            .Where(p => p.Email == email && p.Purpose == purpose && !p.Consumed && p.ExpiresAt > now)
            .OrderByDescending(p => p.CreatedAt)
            .FirstOrDefaultAsync(ct);
        if (!ignoreResendWait && live is not null && live.LastSentAt > now - (Limits.CodeResendSeconds * 1000L))
        {
            var wait = TimeSpan.FromMilliseconds(live.LastSentAt + (Limits.CodeResendSeconds * 1000L) - now);
            throw ApiErrors.RateLimited(1, Limits.CodeResendSeconds, wait);
        }
        var pending = live ?? new PendingCode
        {
            Id = ids.New("pend"), Purpose = purpose, Email = email, CodeHash = [], Payload = "{}", CreatedAt = now,
        };
        pending.CodeHash = Hash(pending.Id, code);
        pending.Payload = JsonSerializer.Serialize(payload);
        pending.Deliverable = deliverable;
        pending.ExpiresAt = now + (TtlSeconds * 1000L);
        pending.LastSentAt = now;
        if (live is null)
        {
            Db.PendingCodes.Add(pending);
        }
        if (deliverable)
        {
            var mail = new Mail(email, subject, $"Your Parley code is {code}. It expires in {Limits.CodeTtlMinutes} minutes.", code);
            writes.AfterCommit(() => mailer.SendAsync(mail, CancellationToken.None));
        }
        return pending;
    }

    /// <summary>
    /// Checks a code, before the action's transaction opens (a wrong code is counted in a transaction of its own, so the
    /// count survives the error answer). Returns the entry; <see cref="ConsumeAsync{T}"/> then uses it up inside the action.
    /// </summary>
    public async Task<PendingCode> CheckAsync(string? pendingId, string purpose, string? code, CancellationToken ct)
    {
        var pending = await Db.PendingCodes.AsNoTracking().FirstOrDefaultAsync(p => p.Id == pendingId && p.Purpose == purpose, ct);
        if (pending is null || pending.Consumed)
        {
            throw new ApiException(ErrorCodes.InvalidCode, "The code is wrong.", ApiErrors.Details(("attempts_left", 0)));
        }
        if (pending.ExpiresAt <= Now)
        {
            throw new ApiException(ErrorCodes.CodeExpired, "The code has expired; start again.");
        }
        if (!pending.Deliverable || code is null || !CryptographicOperations.FixedTimeEquals(Hash(pending.Id, code), pending.CodeHash))
        {
            await CountWrongAsync(pending, ct);
        }
        return pending;
    }

    /// <summary>Uses the entry up, inside the action's transaction; exactly one of two concurrent uses succeeds.</summary>
    public async Task<T> ConsumeAsync<T>(PendingCode pending, CancellationToken ct)
    {
        var consumed = await Db.PendingCodes.Where(p => p.Id == pending.Id && !p.Consumed)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Consumed, true), ct);
        if (consumed == 0)
        {
            throw new ApiException(ErrorCodes.InvalidCode, "The code was already used.", ApiErrors.Details(("attempts_left", 0)));
        }
        return JsonSerializer.Deserialize<T>(pending.Payload)!;
    }

    private async Task CountWrongAsync(PendingCode pending, CancellationToken ct)
    {
        // Counted outside the request's transaction: the error answer must not roll the count back.
        var attempts = await writes.RunIndependentAsync(async (w, c) =>
        {
            var db = w.Db;
            await db.PendingCodes.Where(p => p.Id == pending.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Attempts, p => p.Attempts + 1), c);
            var count = await db.PendingCodes.Where(p => p.Id == pending.Id).Select(p => p.Attempts).FirstAsync(c);
            if (count >= Limits.CodeMaxAttempts)
            {
                await db.PendingCodes.Where(p => p.Id == pending.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Consumed, true), c);
            }
            return count;
        }, ct);
        if (attempts >= Limits.CodeMaxAttempts)
        {
            throw new ApiException(ErrorCodes.OtpAttemptsExhausted, "Too many wrong codes; start again.");
        }
        throw new ApiException(ErrorCodes.InvalidCode, "The code is wrong.", ApiErrors.Details(("attempts_left", Limits.CodeMaxAttempts - attempts)));
    }

    private byte[] Hash(string pendingId, string code) =>
        HMACSHA256.HashData(masterKey.Derive("one-time-code"), Encoding.UTF8.GetBytes(pendingId + ":" + code));
}
