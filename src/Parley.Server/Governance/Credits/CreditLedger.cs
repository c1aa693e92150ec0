using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Governance.Plans;
using Parley.Server.Governance.Usage;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Governance.Credits;

/// <summary>A debit: the ledger entry that took the credits (a reservation's id, to settle it).</summary>
internal sealed record CreditDebit(string LedgerId, string WorkspaceId, long Micros);

/// <summary>
/// The credit ledger of governance.md. Every change runs inside a write transaction holding the workspace's credits
/// lock (<see cref="LockKeys.Credits"/>; PostgreSQL advisory lock, SQLite's single writer), so the balance is exact
/// with concurrent spenders on several nodes and never goes below zero. Before any change, lots past their expiry are
/// written off, so the ledger always sums to the balance.
/// <para>
/// A priced action calls <see cref="SpendAsync"/> (or <see cref="ReserveAsync"/> when its cost is known afterwards)
/// inside its own transaction, before anything leaves the building; <c>NO_CREDITS</c> rolls the action back.
/// </para>
/// </summary>
internal sealed class CreditLedger(Writes writes, Ids ids, TimeProvider time, PlanCatalog plans, IWorkspaceDirectory workspaces)
{
    public const string ExpiredReason = "expired";
    public const string MonthlyReason = "monthly allocation";

    private ParleyDb Db => writes.Db;

    /// <summary>An instance admin's grant (positive amount) or adjustment (negative); an adjustment never takes the balance below zero.</summary>
    public Task<CreditEntry> AdjustAsync(string workspaceId, CreditGrantRequest request, CancellationToken ct)
    {
        var v = new Platform.Validation.Validator();
        var amount = request.Amount;
        if (amount is null)
        {
            v.Add("amount", "is required");
        }
        else if (amount == 0 || Math.Abs(amount.Value) > CreditAmount.Max || !CreditAmount.HasAtMostSixPlaces(amount.Value))
        {
            v.Add("amount", $"must be a non-zero number of credits up to {CreditAmount.Max} with at most six decimals");
        }
        var reason = v.Required("reason", request.Reason);
        v.Length("reason", request.Reason, 1, 500);
        var now = time.NowMs();
        if (request.ExpiresAt is { } expires && (amount < 0 || expires.ToUnixTimeMilliseconds() <= now))
        {
            v.Add("expires_at", amount < 0 ? "applies to grants only" : "must be in the future");
        }
        v.ThrowIfInvalid();
        var micros = CreditAmount.ToMicros(Math.Abs(amount!.Value));
        return writes.RunAsync(async c =>
        {
            if (await workspaces.PlanOfAsync(workspaceId, c) is null)
            {
                throw ApiErrors.NotFound(ErrorCodes.WorkspaceNotFound);
            }
            await BeginAsync(workspaceId, c);
            if (amount > 0)
            {
                return ToView(await CreditAsync(workspaceId, CreditSources.Grant, micros, reason, request.ExpiresAt?.ToUnixTimeMilliseconds(), null, c));
            }
            var balance = await BalanceMicrosAsync(workspaceId, c);
            if (balance < micros)
            {
                throw ApiErrors.Validation("amount", $"would take the balance below zero (the balance is {CreditAmount.ToCredits(balance)})");
            }
            return ToView(await DebitAsync(workspaceId, CreditSources.Adjustment, micros, balance, reason, null, c));
        }, ct);
    }

    /// <summary>
    /// Takes <paramref name="micros"/> for an action, soonest-expiring credits first, or answers
    /// <c>NO_CREDITS {balance, required}</c>. Call it inside the action's transaction; a zero price spends nothing.
    /// </summary>
    public async Task<CreditDebit?> SpendAsync(string workspaceId, long micros, string? reference, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(micros);
        EnsureInTransaction();
        if (micros == 0)
        {
            return null;
        }
        await BeginAsync(workspaceId, ct);
        var balance = await BalanceMicrosAsync(workspaceId, ct);
        if (balance < micros)
        {
            throw new ApiException(ErrorCodes.NoCredits, "The workspace's credit balance cannot pay for this.",
                ApiErrors.Details(("balance", CreditAmount.ToCredits(balance)), ("required", CreditAmount.ToCredits(micros))));
        }
        var entry = await DebitAsync(workspaceId, CreditSources.Usage, micros, balance, null, reference, ct);
        return new CreditDebit(entry.Id, workspaceId, micros);
    }

    /// <summary>Takes the most an action may cost before it starts; <see cref="SettleAsync"/> refunds what it did not use.</summary>
    public async Task<CreditDebit?> ReserveAsync(string workspaceId, long maxMicros, string? reference, CancellationToken ct)
    {
        var debit = await SpendAsync(workspaceId, maxMicros, reference, ct);
        if (debit is not null)
        {
            Db.CreditReservations.Add(new CreditReservation { LedgerId = debit.LedgerId, WorkspaceId = workspaceId, Amount = debit.Micros });
        }
        return debit;
    }

    /// <summary>
    /// Settles a reservation at what the action actually cost (at most what was reserved): the difference goes back,
    /// as a <c>refund</c> entry, to the lots it came from; credits that expired meanwhile stay expired. Settling twice
    /// changes nothing. Returns the refund entry, if any.
    /// </summary>
    public Task<CreditEntry?> SettleAsync(string ledgerId, long actualMicros, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            ArgumentOutOfRangeException.ThrowIfNegative(actualMicros);
            var reservation = await Db.CreditReservations.FirstOrDefaultAsync(r => r.LedgerId == ledgerId, c);
            if (reservation is null)
            {
                return null;
            }
            await BeginAsync(reservation.WorkspaceId, c);
            // Re-read under the lock: a concurrent settlement may have won.
            await Db.Entry(reservation).ReloadAsync(c);
            if (reservation.SettledAt is not null)
            {
                return null;
            }
            reservation.SettledAt = time.NowMs();
            var refund = reservation.Amount - Math.Min(actualMicros, reservation.Amount);
            return refund == 0 ? null : await RefundAsync(reservation.WorkspaceId, ledgerId, refund, c);
        }, ct);

    /// <summary>Gives back the whole of a plain spend whose action failed after it committed.</summary>
    public Task RefundAsync(CreditDebit debit, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            await BeginAsync(debit.WorkspaceId, c);
            var refunded = await Db.CreditLedger.AnyAsync(e => e.WorkspaceId == debit.WorkspaceId && e.Ref == debit.LedgerId && e.Source == CreditSources.Refund, c);
            if (!refunded)
            {
                await RefundAsync(debit.WorkspaceId, debit.LedgerId, debit.Micros, c);
            }
        }, ct);

    /// <summary>
    /// Credits the plan's <c>MonthlyCredits</c> for the current month once (a lot that expires at the month's end).
    /// Returns whether it credited anything.
    /// </summary>
    public Task<bool> AllocateMonthlyAsync(string workspaceId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var planName = await workspaces.PlanOfAsync(workspaceId, c);
            if (planName is null || plans.Get(planName).MonthlyCredits is not { } monthly)
            {
                return false;
            }
            await BeginAsync(workspaceId, c);
            var period = Period.Of(time);
            if (await Db.CreditLots.AnyAsync(l => l.WorkspaceId == workspaceId && l.Period == period.Key, c))
            {
                return false;
            }
            await CreditAsync(workspaceId, CreditSources.Monthly, CreditAmount.ToMicros(monthly), MonthlyReason, period.End.ToUnixTimeMilliseconds(),
                period.Key, c);
            return true;
        }, ct);

    /// <summary>The workspaces holding credits past their expiry (the monthly job writes them off).</summary>
    public Task<List<string>> WithLapsedCreditsAsync(CancellationToken ct)
    {
        var now = time.NowMs();
        return Db.CreditLots.AsNoTracking().Where(l => l.Remaining > 0 && l.ExpiresAt <= now).Select(l => l.WorkspaceId).Distinct().ToListAsync(ct);
    }

    /// <summary>Writes off a workspace's lapsed credits now.</summary>
    public Task ExpireAsync(string workspaceId, CancellationToken ct) => writes.RunAsync(c => BeginAsync(workspaceId, c), ct);

    public async Task<CreditBalance> BalanceAsync(string workspaceId, CancellationToken ct)
    {
        var now = time.NowMs();
        var lots = await Db.CreditLots.AsNoTracking()
            .Where(l => l.WorkspaceId == workspaceId && l.Remaining > 0 && (l.ExpiresAt == null || l.ExpiresAt > now))
            .Select(l => new { l.Source, l.ExpiresAt, l.Remaining }).ToListAsync(ct);
        var bySource = lots.GroupBy(l => (l.Source, l.ExpiresAt))
            .OrderBy(g => g.Key.ExpiresAt ?? long.MaxValue).ThenBy(g => g.Key.Source, StringComparer.Ordinal)
            .Select(g => new CreditSourceAmount(g.Key.Source, CreditAmount.ToCredits(g.Sum(l => l.Remaining)), Clock.Time(g.Key.ExpiresAt)))
            .ToList();
        return new CreditBalance(CreditAmount.ToCredits(lots.Sum(l => l.Remaining)), bySource);
    }

    /// <summary>The ledger, newest first.</summary>
    public async Task<Page<CreditEntry>> LedgerAsync(string workspaceId, int? limit, string? cursor, CancellationToken ct)
    {
        var paging = Platform.Validation.Paging.From(limit, cursor);
        var rows = await Db.CreditLedger.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId && (paging.After == null || string.Compare(e.Id, paging.After) < 0))
            .OrderByDescending(e => e.Id).Take(paging.Limit + 1).ToListAsync(ct);
        var (items, next) = paging.Cut(rows, e => e.Id);
        return new Page<CreditEntry>([.. items.Select(ToView)], next);
    }

    public static CreditEntry ToView(CreditLedgerEntry e) => new(e.Id, CreditAmount.ToCredits(e.Delta), e.Source, e.Reason, Clock.Time(e.ExpiresAt),
        CreditAmount.ToCredits(e.BalanceAfter), e.Ref, Clock.Time(e.CreatedAt));

    private void EnsureInTransaction()
    {
        if (Db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Spending credits belongs inside the action's write transaction.");
        }
    }

    /// <summary>Takes the workspace's credits lock and writes off its lapsed credits.</summary>
    private async Task BeginAsync(string workspaceId, CancellationToken ct)
    {
        await writes.LockAsync(ct, LockKeys.Credits(workspaceId));
        var now = time.NowMs();
        var lapsed = await Db.CreditLots.Where(l => l.WorkspaceId == workspaceId && l.Remaining > 0 && l.ExpiresAt <= now)
            .OrderBy(l => l.ExpiresAt).ThenBy(l => l.Id).ToListAsync(ct);
        if (lapsed.Count == 0)
        {
            return;
        }
        var balance = await Db.CreditLots.Where(l => l.WorkspaceId == workspaceId).SumAsync(l => l.Remaining, ct);
        foreach (var lot in lapsed)
        {
            balance -= lot.Remaining;
            AddEntry(workspaceId, -lot.Remaining, CreditSources.Adjustment, ExpiredReason, lot.ExpiresAt, balance, lot.Id);
            lot.Remaining = 0;
        }
        await Db.SaveChangesAsync(ct);
    }

    /// <summary>The balance inside a change, after <see cref="BeginAsync"/> wrote off lapsed credits.</summary>
    private Task<long> BalanceMicrosAsync(string workspaceId, CancellationToken ct) =>
        Db.CreditLots.Where(l => l.WorkspaceId == workspaceId).SumAsync(l => l.Remaining, ct);

    private async Task<CreditLedgerEntry> CreditAsync(string workspaceId, string source, long micros, string? reason, long? expiresAt, string? period,
        CancellationToken ct)
    {
        var balance = await BalanceMicrosAsync(workspaceId, ct);
        var lot = new CreditLot
        {
            Id = ids.New("lot"), WorkspaceId = workspaceId, Source = source, Amount = micros, Remaining = micros, ExpiresAt = expiresAt,
            Period = period, CreatedAt = time.NowMs(),
        };
        Db.CreditLots.Add(lot);
        var entry = AddEntry(workspaceId, micros, source, reason, expiresAt, balance + micros, lot.Id);
        await Db.SaveChangesAsync(ct);
        return entry;
    }

    /// <summary>Takes credits from the soonest-expiring lots first (never-expiring last, older before newer).</summary>
    private async Task<CreditLedgerEntry> DebitAsync(string workspaceId, string source, long micros, long balance, string? reason, string? reference,
        CancellationToken ct)
    {
        var lots = await Db.CreditLots.Where(l => l.WorkspaceId == workspaceId && l.Remaining > 0)
            .OrderBy(l => l.ExpiresAt == null).ThenBy(l => l.ExpiresAt).ThenBy(l => l.Id).ToListAsync(ct);
        var entry = AddEntry(workspaceId, -micros, source, reason, null, balance - micros, reference);
        var left = micros;
        foreach (var lot in lots)
        {
            if (left == 0)
            {
                break;
            }
            var take = Math.Min(left, lot.Remaining);
            lot.Remaining -= take;
            left -= take;
            Db.CreditSpends.Add(new CreditSpend { LedgerId = entry.Id, LotId = lot.Id, Amount = take });
        }
        await Db.SaveChangesAsync(ct);
        return entry;
    }

    /// <summary>Returns credits of a debit to the lots it took them from, latest-expiring first; lapsed lots keep nothing.</summary>
    private async Task<CreditEntry?> RefundAsync(string workspaceId, string ledgerId, long micros, CancellationToken ct)
    {
        var now = time.NowMs();
        var spends = await Db.CreditSpends.Where(s => s.LedgerId == ledgerId).ToListAsync(ct);
        var lotIds = spends.Select(s => s.LotId).ToList();
        var lots = await Db.CreditLots.Where(l => lotIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct);
        var left = micros;
        var returned = 0L;
        foreach (var spend in spends.OrderByDescending(s => lots[s.LotId].ExpiresAt ?? long.MaxValue).ThenByDescending(s => s.LotId))
        {
            var take = Math.Min(left, spend.Amount);
            left -= take;
            var lot = lots[spend.LotId];
            if (lot.ExpiresAt is { } expires && expires <= now)
            {
                continue;
            }
            lot.Remaining += take;
            returned += take;
        }
        if (returned == 0)
        {
            return null;
        }
        var balance = await BalanceMicrosAsync(workspaceId, ct);
        var entry = AddEntry(workspaceId, returned, CreditSources.Refund, null, null, balance + returned, ledgerId);
        await Db.SaveChangesAsync(ct);
        return ToView(entry);
    }

    private CreditLedgerEntry AddEntry(string workspaceId, long delta, string source, string? reason, long? expiresAt, long balanceAfter, string? reference)
    {
        var entry = new CreditLedgerEntry
        {
            Id = ids.New("led"), WorkspaceId = workspaceId, Delta = delta, Source = source, Reason = reason, ExpiresAt = expiresAt,
            BalanceAfter = balanceAfter, Ref = reference, CreatedAt = time.NowMs(),
        };
        Db.CreditLedger.Add(entry);
        return entry;
    }
}
