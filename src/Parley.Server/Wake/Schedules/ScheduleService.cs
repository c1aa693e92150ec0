using System.Text;
using System.Text.Json;
using Cronos;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Wake;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;
using Parley.Server.Wake.Runs;

namespace Parley.Server.Wake.Schedules;

/// <summary>
/// Schedules (wake.md): a five-field cron expression in an IANA time zone, parsed and stepped by Cronos. The
/// <c>schedules</c> job (one node) starts a run at each occurrence that has come; an occurrence that finds the agent
/// running records a <c>skipped</c> run (<c>already_running</c>). Occurrences missed while the server was down are not
/// replayed: after a run the next occurrence is the first one after now.
/// </summary>
internal sealed class ScheduleService(Writes writes, Ids ids, TimeProvider time, RunService runs)
{
    private ParleyDb Db => writes.Db;

    public async Task<ScheduleView> CreateAsync(Caller caller, Workspace workspace, string agentName, CreateScheduleRequest request, CancellationToken ct)
    {
        var agent = await AgentOfAsync(workspace, agentName, ct);
        var (cron, zone, input) = Validate(request.Cron, request.Timezone, request.Input, required: true);
        var now = time.NowMs();
        var schedule = new Schedule
        {
            Id = ids.New("sch"), WorkspaceId = workspace.Id, AgentId = agent.Id, Cron = request.Cron!.Trim(), TimeZone = zone!.Id, Input = input,
            Enabled = request.Enabled ?? true, CreatedBy = caller.PartitionKey, CreatedAt = now, UpdatedAt = now,
        };
        schedule.NextRunAt = schedule.Enabled ? Next(cron!, zone, now) : null;
        await writes.RunAsync(c =>
        {
            Db.Schedules.Add(schedule);
            return Task.CompletedTask;
        }, ct);
        return ToView(schedule);
    }

    public async Task<ScheduleList> ListAsync(Workspace workspace, string agentName, CancellationToken ct)
    {
        var agent = await AgentOfAsync(workspace, agentName, ct);
        return new ScheduleList([.. (await Db.Schedules.AsNoTracking().Where(s => s.AgentId == agent.Id).OrderBy(s => s.Id).ToListAsync(ct)).Select(ToView)]);
    }

    public async Task<ScheduleView> GetAsync(Workspace workspace, string agentName, string scheduleId, CancellationToken ct) =>
        ToView(await FindAsync(workspace, agentName, scheduleId, track: false, ct));

    public async Task<ScheduleView> UpdateAsync(Workspace workspace, string agentName, string scheduleId, UpdateScheduleRequest request, CancellationToken ct)
    {
        var (cron, zone, input) = Validate(request.Cron, request.Timezone, request.Input, required: false);
        var schedule = await writes.RunAsync(async c =>
        {
            var schedule = await FindAsync(workspace, agentName, scheduleId, track: true, c);
            schedule.Cron = request.Cron?.Trim() ?? schedule.Cron;
            schedule.TimeZone = zone?.Id ?? schedule.TimeZone;
            schedule.Input = request.Input is null ? schedule.Input : input;
            schedule.Enabled = request.Enabled ?? schedule.Enabled;
            schedule.UpdatedAt = time.NowMs();
            schedule.NextRunAt = schedule.Enabled
                ? Next(cron ?? CronExpression.Parse(schedule.Cron), zone ?? TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone), schedule.UpdatedAt)
                : null;
            return schedule;
        }, ct);
        return ToView(schedule);
    }

    public Task DeleteAsync(Workspace workspace, string agentName, string scheduleId, CancellationToken ct) =>
        writes.RunAsync(async c => Db.Schedules.Remove(await FindAsync(workspace, agentName, scheduleId, track: true, c)), ct);

    /// <summary>Starts the runs of every occurrence that has come (the <c>schedules</c> job). Returns how many schedules fired.</summary>
    public async Task<int> FireDueAsync(CancellationToken ct)
    {
        var now = time.NowMs();
        var due = await Db.Schedules.AsNoTracking().Where(s => s.Enabled && s.NextRunAt <= now).OrderBy(s => s.NextRunAt).Select(s => s.Id).Take(500).ToListAsync(ct);
        var fired = 0;
        foreach (var id in due)
        {
            fired += await writes.RunAsync(async c =>
            {
                var schedule = await Db.Schedules.FirstOrDefaultAsync(s => s.Id == id && s.Enabled && s.NextRunAt <= now, c);
                if (schedule is null || await AgentQueries.ByIdAsync(Db, schedule.AgentId, c) is not { } agent || agent.Status == AgentStatus.Deleted)
                {
                    return 0;
                }
                await runs.StartOrSkipAsync(agent, new RunRequest(RunReasons.Schedule, schedule.CreatedBy) { Input = schedule.Input, ScheduleId = schedule.Id }, c);
                schedule.LastRunAt = now;
                schedule.NextRunAt = Next(CronExpression.Parse(schedule.Cron), TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone), now);
                return 1;
            }, ct);
        }
        return fired;
    }

    /// <summary>The first occurrence strictly after <paramref name="afterMs"/>, in Unix ms; null when there is none.</summary>
    private static long? Next(CronExpression cron, TimeZoneInfo zone, long afterMs) =>
        cron.GetNextOccurrence(DateTimeOffset.FromUnixTimeMilliseconds(afterMs), zone) is { } next ? next.ToUnixTimeMilliseconds() : null;

    private static (CronExpression? Cron, TimeZoneInfo? Zone, string? Input) Validate(string? cron, string? timezone, JsonElement? input, bool required)
    {
        var v = new Validator();
        CronExpression? expression = null;
        TimeZoneInfo? zone = null;
        if (required)
        {
            v.Required("cron", cron);
            v.Required("timezone", timezone);
        }
        if (cron is not null)
        {
            try
            {
                expression = CronExpression.Parse(cron.Trim());
            }
            catch (CronFormatException)
            {
                v.Add("cron", "must be a five-field cron expression (minute hour day-of-month month day-of-week)");
            }
        }
        if (timezone is not null)
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(timezone);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                v.Add("timezone", "must be an IANA time zone, e.g. Europe/Paris or UTC");
            }
        }
        var text = input is { ValueKind: not JsonValueKind.Undefined } given ? given.GetRawText() : null;
        if (text is not null && Encoding.UTF8.GetByteCount(text) > RunService.MaxInputBytes)
        {
            v.Add("input", $"must be at most {RunService.MaxInputBytes} bytes");
        }
        v.ThrowIfInvalid();
        return (expression, zone, text);
    }

    private async Task<Agent> AgentOfAsync(Workspace workspace, string name, CancellationToken ct) =>
        await AgentQueries.ByNameAsync(Db, name, ct) is { Status: not AgentStatus.Deleted } agent && agent.OwnerWorkspaceId == workspace.Id
            ? agent
            : throw new ApiException(ErrorCodes.AgentNotFound, "No such agent in the workspace.");

    private async Task<Schedule> FindAsync(Workspace workspace, string agentName, string scheduleId, bool track, CancellationToken ct)
    {
        var agent = await AgentOfAsync(workspace, agentName, ct);
        var query = track ? Db.Schedules : Db.Schedules.AsNoTracking();
        return await query.FirstOrDefaultAsync(s => s.Id == scheduleId && s.AgentId == agent.Id, ct) ?? throw ApiErrors.NotFound();
    }

    private static ScheduleView ToView(Schedule s) => new(s.Id, s.AgentId, s.Cron, s.TimeZone,
        s.Input is null ? null : JsonDocument.Parse(s.Input).RootElement.Clone(), s.Enabled, Clock.Time(s.NextRunAt), Clock.Time(s.LastRunAt),
        Clock.Time(s.CreatedAt));
}
