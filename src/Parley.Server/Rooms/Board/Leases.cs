using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Data;
using Parley.Server.Platform;
using Parley.Server.Platform.Security;
using Parley.Server.Rooms.Membership;

namespace Parley.Server.Rooms.Board;

/// <summary>
/// The lease mechanics every task write shares: starting, ending and lapsing leases, and stopping their clocks while a
/// room is paused. Callers hold the room's lock (<see cref="LockKeys.Room"/>) inside a write transaction, so on both
/// providers one writer at a time decides a room's leases.
/// </summary>
internal sealed class Leases(Writes writes, TimeProvider time, TaskLog log, RoomNotifier notifier, IOptions<RoomsOptions> options)
{
    private const string TokenPrefix = "prl_claim_";
    private ParleyDb Db => writes.Db;
    private RoomLimits Limits => options.Value.Limits;
    private long Now => time.NowMs();

    /// <summary><c>prl_claim_</c> + 128 random bits; only its SHA-256 is stored.</summary>
    public static string NewToken() => TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool Matches(RoomTask task, string presented) =>
        task.HolderId is not null && task.ClaimTokenHash is not null && Secrets.MatchesHash(presented, task.ClaimTokenHash);

    public int GraceSeconds(int ttlSeconds) => Math.Max(Limits.RoomLeaseMinGraceSeconds, ttlSeconds * Limits.RoomLeaseGracePercent / 100);

    public void Start(RoomTask task, string agentId, string instance, string token, int ttlSeconds)
    {
        var now = Now;
        task.HolderId = agentId;
        task.HolderInstance = instance;
        task.ClaimTokenHash = Secrets.Sha256(token);
        task.LeaseTtlSeconds = ttlSeconds;
        task.ExpiresAt = now + (ttlSeconds * 1000L);
        task.GraceUntil = task.ExpiresAt + (GraceSeconds(ttlSeconds) * 1000L);
        task.Generation++;
        task.Status = TaskState.Doing;
        task.UpdatedAt = now;
    }

    /// <summary>Moves the expiry to now + TTL (and the grace period after it).</summary>
    public void Extend(RoomTask task)
    {
        var now = Now;
        task.ExpiresAt = now + (task.LeaseTtlSeconds * 1000L);
        task.GraceUntil = task.ExpiresAt + (GraceSeconds(task.LeaseTtlSeconds) * 1000L);
        task.UpdatedAt = now;
    }

    /// <summary>
    /// Ends the task's lease, if it has one, logging <paramref name="eventType"/> with the holder: the generation goes
    /// up, and a task that was <c>doing</c> becomes <paramref name="nextStatus"/>.
    /// </summary>
    public void End(RoomTask task, string eventType, string? actor, string nextStatus = TaskState.Todo, params (string Key, object? Value)[] details)
    {
        if (task.HolderId is null)
        {
            return;
        }
        var holder = task.HolderId;
        var instance = task.HolderInstance;
        task.HolderId = null;
        task.HolderInstance = null;
        task.ClaimTokenHash = null;
        task.ExpiresAt = null;
        task.GraceUntil = null;
        task.Generation++;
        if (task.Status == TaskState.Doing)
        {
            task.Status = nextStatus;
        }
        task.UpdatedAt = Now;
        log.Add(task, eventType, actor, [("holder", holder), ("instance_id", instance), ("generation", task.Generation), .. details]);
    }

    /// <summary>
    /// Inside a write transaction holding the room's lock: every lease of the room (or of one task) past its grace
    /// period lapses — the task is <c>todo</c> again and its generation goes up. Nothing lapses while the room is not
    /// active (paused clocks stand still; stopped and archived rooms hold no leases). Returns how many lapsed.
    /// </summary>
    public async Task<int> ApplyLapsesAsync(string roomId, string? taskId, CancellationToken ct)
    {
        var now = Now;
        var status = await Db.Rooms.AsNoTracking().Where(r => r.Id == roomId).Select(r => r.Status).FirstOrDefaultAsync(ct);
        if (status != RoomStatus.Active)
        {
            return 0;
        }
        var lapsed = await Db.Tasks.Where(t => t.RoomId == roomId && (taskId == null || t.Id == taskId) && t.HolderId != null && t.GraceUntil < now)
            .ToListAsync(ct);
        foreach (var task in lapsed)
        {
            End(task, TaskEventType.Lapsed, actor: null);
            await notifier.TaskChangedAsync(roomId, task.Id, TaskEventType.Lapsed, actor: null, ct);
        }
        return lapsed.Count;
    }

    /// <summary>
    /// <see cref="ApplyLapsesAsync"/> for one task read under the room's lock, with its room's status and agent members
    /// read under it too (no query of its own).
    /// </summary>
    public void ApplyLapse(RoomTask task, string roomStatus, IReadOnlyList<string> agentMembers)
    {
        if (roomStatus == RoomStatus.Active && task.HolderId is not null && task.GraceUntil < Now)
        {
            End(task, TaskEventType.Lapsed, actor: null);
            notifier.TaskChanged(agentMembers, task.RoomId, task.Id, TaskEventType.Lapsed, actor: null);
        }
    }

    /// <summary>Applies due lapses before a read, writing only when one is due.</summary>
    public async Task LapseIfDueAsync(string roomId, string? taskId, CancellationToken ct)
    {
        var now = Now;
        if (await Db.Tasks.AsNoTracking().AnyAsync(t => t.RoomId == roomId && (taskId == null || t.Id == taskId) && t.HolderId != null && t.GraceUntil < now, ct))
        {
            await writes.RunAsync(async c =>
            {
                await writes.LockAsync(c, LockKeys.Room(roomId));
                return await ApplyLapsesAsync(roomId, taskId, c);
            }, ct);
        }
    }

    /// <summary>Ends every lease of a room that is stopped or archived (its tasks go back to <c>todo</c>).</summary>
    public async Task EndAllAsync(string roomId, string reason, string? actor, CancellationToken ct)
    {
        var held = await Db.Tasks.Where(t => t.RoomId == roomId && t.HolderId != null).ToListAsync(ct);
        foreach (var task in held)
        {
            End(task, TaskEventType.Released, actor, TaskState.Todo, ("reason", reason));
            await notifier.TaskChangedAsync(roomId, task.Id, TaskEventType.Released, actor, ct);
        }
    }

    /// <summary>On resume: every live lease's expiry and grace end move forward by the time the room spent paused.</summary>
    public Task<int> ShiftAsync(string roomId, long byMs, CancellationToken ct) =>
        Db.Tasks.Where(t => t.RoomId == roomId && t.HolderId != null).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.ExpiresAt, t => t.ExpiresAt + byMs)
            .SetProperty(t => t.GraceUntil, t => t.GraceUntil + byMs), ct);
}
