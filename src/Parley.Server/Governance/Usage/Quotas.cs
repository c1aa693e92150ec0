using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Governance.Plans;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Mailing;

namespace Parley.Server.Governance.Usage;

/// <summary>Units a workspace was admitted for, so an action that fails after its commit can give them back.</summary>
internal sealed record Admission(string WorkspaceId, string Meter, string Period, string Day, long Units, long Count);

/// <summary>
/// Monthly meters and their quotas. <see cref="AdmitAsync"/> is the one call an action makes, inside its own write
/// transaction: one conditional upsert admits the units only while <c>count + units ≤ limit</c>, so admission is exact
/// under concurrency and across nodes (PostgreSQL holds the counter's row lock until the action commits; SQLite has one
/// writer). An action that fails inside the transaction gives its units back by rolling back; one that fails after
/// committing calls <see cref="ReturnAsync"/>.
/// </summary>
internal sealed class Quotas(Writes writes, PlanCatalog plans, IWorkspaceDirectory workspaces, Mailer mailer, TimeProvider time)
{
    /// <summary>Percent of a quota at which a <c>usage.threshold</c> is recorded and the workspace's admins are mailed.</summary>
    public static readonly int[] Thresholds = [80, 100];

    private ParleyDb Db => writes.Db;

    /// <summary>
    /// Counts <paramref name="units"/> of a monthly meter for the workspace, or answers <c>QUOTA_EXCEEDED</c> when they
    /// do not fit in what is left of its plan's quota this month. Call it inside the action's transaction, after the
    /// action's own checks and before anything is stored; take it after every other lock (<see cref="LockKeys"/>).
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
        var plan = plans.Get(await workspaces.PlanOfAsync(workspaceId, ct) ?? plans.DefaultPlanName);
        var limit = plan.QuotaOf(meter);

        // The counter row is created (at zero) or updated in one statement; the WHERE of the update re-reads the row
        // after a concurrent admission commits, so two admissions can never both take the last unit.
        var admitted = await Sql.QueryAsync(Db,
            "INSERT INTO usage_counters (workspace_id, meter, period, count) VALUES (@p0, @p1, @p2, @p3) " +
            "ON CONFLICT (workspace_id, meter, period) DO UPDATE SET count = usage_counters.count + excluded.count " +
            "WHERE @p4 < 0 OR usage_counters.count + excluded.count <= @p4 RETURNING count",
            r => r.Int64("count"), ct, workspaceId, meter, period.Key, units, limit ?? -1L);
        if (admitted.Count == 0 || (limit is { } max && admitted[0] > max))
        {
            // Refused (or a first admission larger than the whole quota, which the insert cannot refuse by itself).
            var current = admitted.Count == 0 ? await CountAsync(workspaceId, meter, period.Key, ct) : admitted[0] - units;
            throw Exceeded(meter, current, limit!.Value, period, now);
        }
        var count = admitted[0];
        await Sql.ExecuteAsync(Db,
            "INSERT INTO usage_days (workspace_id, meter, day, count) VALUES (@p0, @p1, @p2, @p3) " +
            "ON CONFLICT (workspace_id, meter, day) DO UPDATE SET count = usage_days.count + excluded.count",
            ct, workspaceId, meter, day, units);
        if (limit is { } quota)
        {
            await RecordThresholdsAsync(workspaceId, meter, period, count - units, count, quota, ct);
        }
        return new Admission(workspaceId, meter, period.Key, day, units, count);
    }

    /// <summary>Gives back units of an action that failed after its admission committed (never below zero).</summary>
    public Task ReturnAsync(Admission admission, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            await Sql.ExecuteAsync(Db,
                "UPDATE usage_counters SET count = CASE WHEN count > @p3 THEN count - @p3 ELSE 0 END " +
                "WHERE workspace_id = @p0 AND meter = @p1 AND period = @p2",
                c, admission.WorkspaceId, admission.Meter, admission.Period, admission.Units);
            await Sql.ExecuteAsync(Db,
                "UPDATE usage_days SET count = CASE WHEN count > @p3 THEN count - @p3 ELSE 0 END " +
                "WHERE workspace_id = @p0 AND meter = @p1 AND day = @p2",
                c, admission.WorkspaceId, admission.Meter, admission.Day, admission.Units);
        }, ct);

    private async Task<long> CountAsync(string workspaceId, string meter, string period, CancellationToken ct) =>
        (await Sql.QueryAsync(Db, "SELECT count FROM usage_counters WHERE workspace_id = @p0 AND meter = @p1 AND period = @p2",
            r => r.Int64("count"), ct, workspaceId, meter, period)).SingleOrDefault();

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
