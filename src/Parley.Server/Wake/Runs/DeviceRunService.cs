using System.Text;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Wake;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Wake.Runs;

/// <summary>
/// A run from its device's side: accepting it (with a passport for the run's agent), heartbeats (renewing the
/// passport), and reporting how it ended. Only the device the run was dispatched to may; any other gets <c>NOT_FOUND</c>.
/// </summary>
internal sealed class DeviceRunService(Writes writes, TimeProvider time, TokenService tokens, RunService runs, RunStates states)
{
    private ParleyDb Db => writes.Db;

    /// <summary>
    /// The device takes a run dispatched to it: <c>running</c>, with a passport for the run's agent (its scopes narrowed
    /// to read, write, upload and download when constrained) that stops working when the run ends.
    /// </summary>
    public Task<AcceptedRun> AcceptAsync(Caller device, string runId, string apiUrl, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var run = await DeviceRunAsync(device, runId, c);
            if (run.Status != RunStatus.Dispatched)
            {
                throw ApiErrors.Conflict($"The run is {run.Status}, not waiting to be accepted.");
            }
            var now = time.NowMs();
            states.Set(run, RunStatus.Running);
            run.StartedAt = now;
            run.HeartbeatAt = now;
            run.WakeAckedAt ??= now;
            var (passport, expires) = await PassportAsync(run, c);
            run.PassportExpiresAt = expires.ToUnixTimeMilliseconds();
            await Db.SaveChangesAsync(c);
            return new AcceptedRun((await runs.ViewsAsync([run], c))[0], passport, expires, apiUrl);
        }, ct);

    /// <summary>The device's run is alive; a passport within 5 minutes of expiry is renewed.</summary>
    public Task<HeartbeatAnswer> HeartbeatAsync(Caller device, string runId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var run = await DeviceRunAsync(device, runId, c);
            if (run.Status is not (RunStatus.Running or RunStatus.Cancelling))
            {
                throw ApiErrors.Conflict($"The run is {run.Status}.");
            }
            var now = time.NowMs();
            run.HeartbeatAt = now;
            string? passport = null;
            if (run.PassportExpiresAt is not { } expires || expires - now <= 5 * Clock.MinuteMs)
            {
                (passport, var renewed) = await PassportAsync(run, c);
                run.PassportExpiresAt = renewed.ToUnixTimeMilliseconds();
            }
            return new HeartbeatAnswer(passport, Clock.Time(run.PassportExpiresAt!.Value));
        }, ct);

    /// <summary>The device reports how the run ended.</summary>
    public async Task<RunView> FinishAsync(Caller device, string runId, FinishRunRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Required("status", request.Status);
        v.OneOf("status", request.Status, RunStatus.Succeeded, RunStatus.Failed, RunStatus.Cancelled);
        v.Length("failure_reason", request.FailureReason, 0, 200);
        if (request.Summary is { } summary && Encoding.UTF8.GetByteCount(summary) > 4096)
        {
            v.Add("summary", "must be at most 4096 bytes");
        }
        if (request.OutputTail is { } tail && Encoding.UTF8.GetByteCount(tail) > 16384)
        {
            v.Add("output_tail", "must be at most 16384 bytes");
        }
        v.ThrowIfInvalid();
        var run = await writes.RunAsync(async c =>
        {
            var run = await DeviceRunAsync(device, runId, c);
            if (run.Status is not (RunStatus.Running or RunStatus.Cancelling or RunStatus.Dispatched))
            {
                throw ApiErrors.Conflict($"The run already ended ({run.Status}).");
            }
            run.ExitCode = request.ExitCode;
            run.Summary = request.Summary;
            run.OutputTail = request.OutputTail;
            var failure = request.FailureReason ?? (request.Status == RunStatus.Failed && request.ExitCode is not (null or 0) ? "exit_nonzero"
                : request.Status == RunStatus.Cancelled ? "cancelled_by_owner" : null);
            await runs.EndAsync(run, request.Status!, request.Status == RunStatus.Succeeded ? null : failure, c);
            return run;
        }, ct);
        return (await runs.ViewsAsync([run], ct))[0];
    }

    /// <summary>A run dispatched to this device, under its agent's lock; any other is <c>NOT_FOUND</c>.</summary>
    private async Task<Run> DeviceRunAsync(Caller device, string runId, CancellationToken c)
    {
        var agentId = await Db.Runs.Where(r => r.Id == runId && r.DeviceId == device.Device!.Id).Select(r => r.AgentId).FirstOrDefaultAsync(c)
            ?? throw ApiErrors.NotFound();
        await writes.LockAsync(c, LockKeys.AgentRuns(agentId));
        return await Db.Runs.FirstAsync(r => r.Id == runId, c);
    }

    private async Task<(string Token, DateTimeOffset ExpiresAt)> PassportAsync(Run run, CancellationToken c)
    {
        var agent = await AgentQueries.ByIdAsync(Db, run.AgentId, c) ?? throw ApiErrors.NotFound();
        var scopes = run.Constrained ? [Scopes.Read, Scopes.Write, Scopes.Upload, Scopes.Download] : Scopes.All;
        return tokens.IssueRunPassport(agent.Id, agent.Plate, agent.OwnerWorkspaceId, run.Id, scopes);
    }
}
