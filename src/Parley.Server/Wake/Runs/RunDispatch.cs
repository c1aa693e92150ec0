using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Wake;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Devices;
using Parley.Server.Platform;
using Parley.Server.Platform.Http;

namespace Parley.Server.Wake.Runs;

/// <summary>
/// Sends runs to devices. A queued run goes to one online device that binds its agent (the most recently seen): the
/// run becomes <c>dispatched</c> with a wake id, and the device's node is told to look (<see cref="DeviceSignals.Pending"/>).
/// A device that says hello takes the queued runs of the agents it binds. Until the listener acknowledges a wake, every
/// (re)connect of its device sends it again (<see cref="PendingAsync"/>), each time in a freshly signed envelope with
/// the same <c>jti</c>.
/// </summary>
internal sealed class RunDispatch(Writes writes, Ids ids, TimeProvider time, TokenService tokens, DeviceSignals signals, RunStates states, IServer server,
    IOptions<ParleyOptions> options)
{
    /// <summary>The prompt's limit (wake.md): 8 KiB of UTF-8.</summary>
    public const int MaxPromptBytes = 8 * 1024;

    private ParleyDb Db => writes.Db;

    /// <summary>
    /// Inside the run's write: hands a queued run to an online device that binds its agent (for a constrained run, one
    /// whose binding can run it constrained), if there is one.
    /// </summary>
    public async Task DispatchAsync(Run run, CancellationToken c)
    {
        var fresh = time.NowMs() - DeviceSession.StaleAfterMs;
        var deviceId = await (
            from binding in Db.DeviceBindings
            join device in Db.Devices on binding.DeviceId equals device.Id
            where binding.AgentId == run.AgentId && device.Status == Device.Active && (!run.Constrained || binding.ConstrainedCapable)
                && Db.DeviceSessions.Any(s => s.DeviceId == device.Id && s.SeenAt > fresh)
            orderby device.LastSeenAt descending, device.Id
            select device.Id).FirstOrDefaultAsync(c);
        if (deviceId is not null)
        {
            Dispatch(run, deviceId);
        }
    }

    /// <summary>A device said hello: it takes the queued runs of the agents it binds.</summary>
    public async Task<int> DispatchQueuedAsync(string deviceId, CancellationToken ct)
    {
        var bindings = await Db.DeviceBindings.AsNoTracking().Where(b => b.DeviceId == deviceId).ToListAsync(ct);
        var agentIds = bindings.Select(b => b.AgentId).ToList();
        var constrainedIds = bindings.Where(b => b.ConstrainedCapable).Select(b => b.AgentId).ToList();
        var queued = await Db.Runs.AsNoTracking()
            .Where(r => agentIds.Contains(r.AgentId) && r.Status == RunStatus.Queued && (!r.Constrained || constrainedIds.Contains(r.AgentId)))
            .Select(r => new { r.Id, r.AgentId }).ToListAsync(ct);
        var dispatched = 0;
        foreach (var item in queued)
        {
            dispatched += await writes.RunAsync(async c =>
            {
                await writes.LockAsync(c, LockKeys.AgentRuns(item.AgentId));
                var run = await Db.Runs.FirstAsync(r => r.Id == item.Id, c);
                if (run.Status != RunStatus.Queued)
                {
                    return 0;
                }
                Dispatch(run, deviceId);
                return 1;
            }, ct);
        }
        return dispatched;
    }

    /// <summary>
    /// What the device's listener should be sent now — unacknowledged wakes and cancellations, oldest first — leaving
    /// out the keys the socket was already sent (so no envelope is signed for nothing).
    /// </summary>
    public async Task<IReadOnlyList<(string Key, object Frame)>> PendingAsync(string deviceId, IReadOnlySet<string> sent, CancellationToken ct)
    {
        var runs = await Db.Runs.AsNoTracking()
            .Where(r => r.DeviceId == deviceId
                && ((r.Status == RunStatus.Dispatched && r.WakeAckedAt == null) || r.Status == RunStatus.Cancelling))
            .OrderBy(r => r.Id).ToListAsync(ct);
        var frames = new List<(string, object)>();
        foreach (var run in runs)
        {
            var key = run.Status == RunStatus.Cancelling ? "cancel:" + run.Id : "wake:" + run.WakeId;
            if (!sent.Contains(key))
            {
                frames.Add((key, run.Status == RunStatus.Cancelling ? new ListenerRunCancel(run.Id) : new ListenerWake(await EnvelopeAsync(run, ct))));
            }
        }
        return frames;
    }

    /// <summary>The listener has the wake: it is not sent again.</summary>
    public Task<int> AcknowledgeAsync(string deviceId, string? wakeId, CancellationToken ct)
    {
        var now = time.NowMs();
        return writes.RunAsync(c => Db.Runs.Where(r => r.DeviceId == deviceId && r.WakeId == wakeId && r.WakeAckedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.WakeAckedAt, now), c), ct);
    }

    private void Dispatch(Run run, string deviceId)
    {
        states.Set(run, RunStatus.Dispatched);
        run.DeviceId = deviceId;
        run.DispatchedAt = time.NowMs();
        run.WakeId = ids.New("wake");
        signals.Pending(deviceId);
    }

    /// <summary>The run's wake, signed now: the same <c>jti</c> (its wake id) every time.</summary>
    public async Task<string> EnvelopeAsync(Run run, CancellationToken ct)
    {
        var agent = await AgentQueries.ByIdAsync(Db, run.AgentId, ct);
        var claims = new Dictionary<string, object>
        {
            ["run_id"] = run.Id,
            ["agent_id"] = run.AgentId,
            ["agent_handle"] = agent?.Handle ?? "",
            ["reason"] = run.Reason,
            ["cross_owner"] = run.CrossOwner,
            ["constrained"] = run.Constrained,
            ["prompt"] = Prompt(run, agent?.Handle),
        };
        foreach (var (name, value) in new[] { ("room_id", run.RoomId), ("mention_id", run.MentionId), ("task_id", run.TaskId), ("message_id", run.MessageId) })
        {
            if (value is not null)
            {
                claims[name] = value;
            }
        }
        return tokens.SignWake(claims, PublicUrls.Base(server, options.Value), run.DeviceId!, run.WakeId!);
    }

    /// <summary>What the agent is told on stdin: the prompt its cause composed, or why it was woken and the run's input; at most 8 KiB.</summary>
    public static string Prompt(Run run, string? handle)
    {
        var text = new StringBuilder();
        if (run.Prompt is not null)
        {
            text.Append(run.Prompt);
        }
        else
        {
            text.Append(run.Reason switch
            {
                RunReasons.Manual => $"You (@{handle}) were started by your owner (run {run.Id}).",
                _ => $"You (@{handle}) were woken: {run.Reason} (run {run.Id}).",
            });
            if (run.Input is not null)
            {
                text.Append("\n\nInput:\n").Append(run.Input);
            }
        }
        var prompt = new StringBuilder();
        var bytes = 0;
        foreach (var rune in text.ToString().EnumerateRunes())
        {
            if ((bytes += rune.Utf8SequenceLength) > MaxPromptBytes)
            {
                break;
            }
            prompt.Append(rune.ToString());
        }
        return prompt.ToString();
    }
}

/// <summary>A run's passport holds while the run is running or being cancelled.</summary>
internal sealed class RunPassports(ParleyDb db) : IRunPassports
{
    public Task<bool> IsLiveAsync(string runId, string agentId, CancellationToken ct) =>
        db.Runs.AsNoTracking().AnyAsync(r => r.Id == runId && r.AgentId == agentId && (r.Status == RunStatus.Running || r.Status == RunStatus.Cancelling), ct);
}
