using Parley.Contracts.Errors;
using Parley.Contracts.Events;
using Parley.Server.Data;
using Parley.Server.Governance.Plans;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Mailing;
using Parley.Server.Platform.OwnerEvents;

namespace Parley.Server.Governance.Usage;

/// <summary>Units a workspace was admitted for, so an action that fails after its commit can give them back.</summary>
internal sealed record Admission(string WorkspaceId, string Meter, string Day, int Shard, long Units);

/// <summary>
/// Monthly meters and their quotas. <see cref="AdmitAsync"/> is the one call an action makes, inside its own write
/// transaction, so the count commits (or rolls back) with the action. Counts are kept per day and shard
/// (<see cref="UsageDay"/>); a month's count is their sum:
/// <list type="bullet">
/// <item>With a quota, admission takes the workspace-and-meter lock (<see cref="LockKeys.Quota"/>; PostgreSQL advisory
/// lock, SQLite's single writer), reads the month's sum and adds to shard 0 only while <c>count + units ≤ limit</c>: exact
/// under concurrency and across nodes.</item>
/// <item>Without one, it adds with one upsert to a shard of the database connection's own (on PostgreSQL its backend
/// process id, folded into 1…1024; SQLite has one writer, shard 1), so one workspace's concurrent actions (every send
/// of a busy workspace) never wait for each other's row locks until their commits: two transactions on one connection
/// cannot overlap.</item>
/// </list>
/// An action that fails inside the transaction gives its units back by rolling back; one that fails after committing
/// calls <see cref="ReturnAsync"/>.
/// </summary>
internal sealed class Quotas(Writes writes, PlanCatalog plans, IWorkspaceDirectory workspaces, Mailer mailer, OwnerEventLog events, TimeProvider time)
{
    /// <summary>Percent of a quota at which a <c>usage.threshold</c> is recorded and the workspace's admins are mailed.</summary>
    public static readonly int[] Thresholds = [80, 100];

    /// <summary>Shards of a meter without a quota (1…Shards, by connection); a meter with one counts on shard 0.</summary>
    public const int Shards = 1024;

    private ParleyDb Db => writes.Db;

    /// <summary>
    /// Counts <paramref name="units"/> of a monthly meter for the workspace, or answers <c>QUOTA_EXCEEDED</c> when they
    /// do not fit in what is left of its plan's quota this month. Call it inside the action's transaction, after the
    /// action's own checks and after every other lock (<see cref="LockKeys"/>); an action admitting two meters admits
    /// them in the order of <c>Meters.Monthly</c>, so two actions never wait for each other.
    /// </summary>
    public async Task<Admission> AdmitAsync(string workspaceId, string meter, long units, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        if (Db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Quota admission belongs inside the action's write transaction.");
        }
        var now = time.GetUtcNow();
        var period = Period.Of(now);
        var day = Period.DayKey(now);
        // With no quota on this meter in any plan (messages, by default), the workspace's plan need not be read.
        var limit = plans.AnyQuotaOn(meter)
            ? plans.Get(await workspaces.PlanOfAsync(workspaceId, ct) ?? plans.DefaultPlanName).QuotaOf(meter)
            : null;
        var shard = 0;
        if (limit is { } quota)
        {
            await writes.LockAsync(ct, LockKeys.Quota(workspaceId, meter));
            var before = await CountAsync(workspaceId, meter, period, ct);
            if (before + units > quota)
            {
                throw Exceeded(meter, before, quota, period, now);
            }
            await AddAsync(workspaceId, meter, day, shard, units, ct);
            await RecordThresholdsAsync(workspaceId, meter, period, before, before + units, quota, ct);
        }
        else
        {
            shard = await AddToOwnShardAsync(workspaceId, meter, day, units, ct);
        }
        return new Admission(workspaceId, meter, day, shard, units);
    }

    /// <summary>
    /// When no plan has a quota on <paramref name="meter"/>, admission is a blind count: this is its statement (on the
    /// connection's own shard), for the action to send in one batch with its own writes. Null when some plan has a quota
    /// on the meter: then <see cref="AdmitAsync"/> must run, as it locks, reads and checks.
    /// </summary>
    public SqlStatement? CountingWithoutQuota(string workspaceId, string meter, long units)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(units);
        return plans.AnyQuotaOn(meter) ? null : new SqlStatement(OwnShardUpsert(returning: false), workspaceId, meter, Period.DayKey(time.GetUtcNow()), units);
    }

    /// <summary>Gives back units of an action that failed after its admission committed (never below zero).</summary>
    public Task ReturnAsync(Admission admission, CancellationToken ct) =>
        writes.RunAsync(c => Sql.ExecuteAsync(Db,
            "UPDATE usage_days SET count = CASE WHEN count > @p4 THEN count - @p4 ELSE 0 END " +
            "WHERE workspace_id = @p0 AND meter = @p1 AND day = @p2 AND shard = @p3",
            c, admission.WorkspaceId, admission.Meter, admission.Day, admission.Shard, admission.Units), ct);

    /// <summary>Adds to one shard of the day's count.</summary>
    private Task<int> AddAsync(string workspaceId, string meter, string day, int shard, long units, CancellationToken ct) =>
        Sql.ExecuteAsync(Db,
            "INSERT INTO usage_days (workspace_id, meter, day, shard, count) VALUES (@p0, @p1, @p2, @p3, @p4) " +
            "ON CONFLICT (workspace_id, meter, day, shard) DO UPDATE SET count = usage_days.count + excluded.count",
            ct, workspaceId, meter, day, shard, units);

    /// <summary>
    /// Adds to the shard of this transaction's connection and says which. (A random shard made concurrent sends of one
    /// workspace queue on PostgreSQL: 64 writers over 16 rows, each held until its commit, cost 6.8 ms of lock wait per
    /// send — docs/architecture.md#performance.)
    /// </summary>
    private async Task<int> AddToOwnShardAsync(string workspaceId, string meter, string day, long units, CancellationToken ct) =>
        (await Sql.QueryAsync(Db, OwnShardUpsert(returning: true),
            r => Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), ct, workspaceId, meter, day, units)).Single();

    /// <summary>The upsert of <c>units</c> (@p3) into the connection's own shard of a workspace's (@p0) meter (@p1) and day (@p2).</summary>
    private string OwnShardUpsert(bool returning) =>
        "INSERT INTO usage_days (workspace_id, meter, day, shard, count) " +
        $"VALUES (@p0, @p1, @p2, ({writes.ConnectionIdSql} % {Shards}) + 1, @p3) " +
        "ON CONFLICT (workspace_id, meter, day, shard) DO UPDATE SET count = usage_days.count + excluded.count" + (returning ? " RETURNING shard" : "");

    /// <summary>The meter's count this period: the sum over the period's days and their shards.</summary>
    private async Task<long> CountAsync(string workspaceId, string meter, Period period, CancellationToken ct) =>
        (await Sql.QueryAsync(Db,
            "SELECT COALESCE(SUM(count), 0) AS total FROM usage_days WHERE workspace_id = @p0 AND meter = @p1 AND day >= @p2 AND day < @p3",
            r => Convert.ToInt64(r.GetValue(r.GetOrdinal("total")), System.Globalization.CultureInfo.InvariantCulture), ct,
            workspaceId, meter, period.FirstDay, period.NextFirstDay)).Single();

    private sealed record ThresholdCrossed(string Meter, int Percent, long Count, long Quota);

    private static ApiException Exceeded(string meter, long count, long limit, Period period, DateTimeOffset now) =>
        new(ErrorCodes.QuotaExceeded, $"The workspace's monthly {meter.Replace('_', ' ')} quota is spent; it resets at the start of next month (UTC).",
            ApiErrors.Details(("meter", meter), ("count", count), ("limit", limit), ("resets_at", period.End)),
            retryAfter: period.End - now);

    /// <summary>
    /// Records each threshold this admission crossed, once per meter, threshold and period (the row's key), and mails
    /// the workspace's admins after the action commits. The owner event stream announces the recorded rows.
    /// </summary>
    private async Task RecordThresholdsAsync(string workspaceId, string meter, Period period, long before, long after, long quota, CancellationToken ct)
    {
        foreach (var percent in Thresholds)
        {
            var mark = (long)Math.Ceiling(quota * percent / 100.0);
            if (quota == 0 || before >= mark || after < mark)
            {
                continue;
            }
            var recorded = await Sql.ExecuteAsync(Db,
                "INSERT INTO usage_thresholds (workspace_id, meter, period, percent, count, quota, created_at) " +
                "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6) ON CONFLICT (workspace_id, meter, period, percent) DO NOTHING",
                ct, workspaceId, meter, period.Key, percent, after, quota, time.NowMs());
            if (recorded == 0)
            {
                continue;
            }
            events.Record(workspaceId, OwnerEventTypes.UsageThreshold, new ThresholdCrossed(meter, percent, after, quota));
            var recipients = await workspaces.AdminEmailsAsync(workspaceId, ct);
            var subject = $"Parley: {percent}% of this month's {meter.Replace('_', ' ')} quota used";
            var body = $"Workspace {workspaceId} has used {after} of its {quota} {meter.Replace('_', ' ')} this month ({percent}%). " +
                $"The quota resets at {period.End:yyyy-MM-dd HH:mm} UTC." +
                (percent >= 100 ? " Until then, actions that need it are refused with QUOTA_EXCEEDED." : "");
            writes.AfterCommit(async () =>
            {
                foreach (var to in recipients)
                {
                    await mailer.SendAsync(new Mail(to, subject, body, Code: null), CancellationToken.None);
                }
            });
        }
    }
}
