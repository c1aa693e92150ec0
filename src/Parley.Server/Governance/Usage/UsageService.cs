using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Governance;
using Parley.Server.Data;
using Parley.Server.Governance.Plans;
using Parley.Server.Platform;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Governance.Usage;

/// <summary>What a workspace has used: this month's meters beside their quotas, the storage gauge, and daily counts for charts.</summary>
internal sealed class UsageService(ParleyDb db, PlanCatalog plans, IEnumerable<IWorkspaceCount> counts, Microsoft.Extensions.Options.IOptions<ParleyOptions> options,
    TimeProvider time)
{
    public const int MaxDays = 366;

    public async Task<UsageView> UsageAsync(string workspaceId, string planName, CancellationToken ct)
    {
        var plan = plans.Get(planName);
        var period = Period.Of(time);
        var monthly = await MonthlyCountsAsync(workspaceId, period, ct);
        var meters = Meters.Monthly.Select(m => new MeterUsage(m, monthly.GetValueOrDefault(m), plan.QuotaOf(m))).ToList();
        var storageLimit = options.Value.Limits.StorageWorkspaceBytes;
        meters.Add(new MeterUsage(Meters.StorageBytes, await CountAsync(Meters.StorageBytes, workspaceId, ct), storageLimit > 0 ? storageLimit : null));
        return new UsageView(period.Start, period.End, meters);
    }

    /// <summary>This month's count of each monthly meter.</summary>
    public async Task<Dictionary<string, long>> MonthlyCountsAsync(string workspaceId, Period period, CancellationToken ct)
    {
        var (first, next) = (period.FirstDay, period.NextFirstDay);
        return await db.UsageDays.AsNoTracking()
            .Where(u => u.WorkspaceId == workspaceId && string.Compare(u.Day, first) >= 0 && string.Compare(u.Day, next) < 0)
            .GroupBy(u => u.Meter).Select(g => new { Meter = g.Key, Count = g.Sum(u => u.Count) })
            .ToDictionaryAsync(u => u.Meter, u => u.Count, ct);
    }

    /// <summary>One count per day, oldest first, for the last <paramref name="days"/> days up to today (UTC), zeros included.</summary>
    public async Task<DailyUsage> DailyAsync(string workspaceId, string? meter, int? days, CancellationToken ct)
    {
        var v = new Validator();
        var name = v.Required("meter", meter);
        v.OneOf("meter", meter, [.. Meters.Monthly]);
        if (days is < 1 or > MaxDays)
        {
            v.Add("days", $"must be from 1 to {MaxDays}");
        }
        v.ThrowIfInvalid();
        var today = time.GetUtcNow().UtcDateTime.Date;
        var keys = Enumerable.Range(0, days ?? 30).Select(i => Period.DayKey(new DateTimeOffset(today.AddDays(-i), TimeSpan.Zero))).Reverse().ToList();
        var first = keys[0];
        var rows = await db.UsageDays.AsNoTracking()
            .Where(u => u.WorkspaceId == workspaceId && u.Meter == name && string.Compare(u.Day, first) >= 0)
            .GroupBy(u => u.Day).Select(g => new { Day = g.Key, Count = g.Sum(u => u.Count) })
            .ToDictionaryAsync(u => u.Day, u => u.Count, ct);
        return new DailyUsage(name!, [.. keys.Select(k => new DailyCount(k, rows.GetValueOrDefault(k)))]);
    }

    /// <summary>A count a module keeps (<see cref="IWorkspaceCount"/>); zero for a module that keeps none yet.</summary>
    public async Task<long> CountAsync(string name, string workspaceId, CancellationToken ct) =>
        counts.FirstOrDefault(c => c.Name == name) is { } count ? await count.CountAsync(workspaceId, ct) : 0;
}
