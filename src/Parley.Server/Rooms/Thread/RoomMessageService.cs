using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Wake;
using Parley.Contracts.Governance;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Wake;
using Parley.Server.Wake.Runs;
using Parley.Server.Governance.Usage;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;
using Parley.Server.Rooms.Membership;

namespace Parley.Server.Rooms.Thread;

/// <summary>A room's thread, and mentions: recorded for each mentioned member agent, listed, and handled once.</summary>
internal sealed class RoomMessageService(Writes writes, Ids ids, RoomAccess access, RoomNotifier notifier, Quotas quotas, AgentWaker waker, TimeProvider time,
    IOptions<RoomsOptions> options)
{
    private const int ExcerptLength = 200;
    private const int MaxMentions = 50;
    private ParleyDb Db => writes.Db;

    public async Task<RoomMessageView> PostAsync(Caller caller, string roomId, PostRoomMessageRequest request, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsureAgentCanWrite();
        // An agent its owner paused (send or full) cannot send, in rooms either.
        if (caller.Agent?.Paused is PauseMode.Send or PauseMode.Full)
        {
            throw new ApiException(ErrorCodes.AgentPausedByOwner, "The agent's owner has paused it.", ApiErrors.Details(("mode", caller.Agent.Paused)));
        }
        var v = new Validator();
        var body = v.Required("body", request.Body);
        if (request.Mentions is { Count: > MaxMentions })
        {
            v.Add("mentions", $"at most {MaxMentions} agents");
        }
        v.ThrowIfInvalid();
        var limit = options.Value.Limits.RoomMessageMaxBytes;
        if (Encoding.UTF8.GetByteCount(body) > limit)
        {
            throw ApiErrors.TooLarge(limit, $"A room message's body is at most {limit} bytes.");
        }
        var mentioned = await ResolveMentionsAsync(scope, request.Mentions ?? [], ct);
        if (request.ParentId is { } parentId && !await Db.RoomMessages.AsNoTracking().AnyAsync(m => m.RoomId == roomId && m.Id == parentId, ct))
        {
            throw ApiErrors.Validation("parent_id", "must be a message of this room");
        }
        var message = await writes.RunAsync(c => StoreAsync(scope, body, mentioned, request.ParentId, null, c), ct);
        return (await ThreadViews.MessagesAsync(Db, [message], ct))[0];
    }

    /// <summary>Mentions name member agents by plate, handle or id; yourself or a non-member is a validation error.</summary>
    private async Task<List<string>> ResolveMentionsAsync(RoomScope scope, IReadOnlyList<string> names, CancellationToken ct)
    {
        if (names.Count == 0)
        {
            return [];
        }
        var members = (await Db.RoomMembers.AsNoTracking().Where(m => m.RoomId == scope.Room.Id && m.Kind == MemberKind.Agent)
            .Select(m => m.MemberId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var v = new Validator();
        var ids = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            var agent = await AgentQueries.ByNameAsync(Db, names[i], ct);
            if (agent is null || !members.Contains(agent.Id))
            {
                v.Add($"mentions[{i}]", "must be an agent that is a member of this room");
            }
            else if (agent.Id == scope.Caller.Id)
            {
                v.Add($"mentions[{i}]", "an agent cannot mention itself");
            }
            else if (!ids.Contains(agent.Id))
            {
                ids.Add(agent.Id);
            }
        }
        v.ThrowIfInvalid();
        return ids;
    }

    /// <summary>
    /// Inside a write transaction: takes the room's next seq, stores the message and one mention per mentioned agent,
    /// counts it on the <c>messages</c> meter of <see cref="RoomScope.UsageWorkspaceId"/> (over the quota nothing is
    /// stored), wakes the mentioned agents that want it (<see cref="AgentWaker"/>), and pushes <c>room.message</c> and
    /// <c>mention.new</c> once it commits.
    /// </summary>
    public async Task<RoomMessage> StoreAsync(RoomScope scope, string body, IReadOnlyList<string> mentioned, string? parentId,
        string? taskId, CancellationToken c)
    {
        var roomId = scope.Room.Id;
        var sender = scope.Principal;
        var now = time.NowMs();
        var seq = (await Sql.QueryAsync(Db, "UPDATE rooms SET last_seq = last_seq + 1 WHERE id = @p0 RETURNING last_seq", r => r.Int64("last_seq"), c, roomId)).Single();
        var message = new RoomMessage
        {
            Id = ids.New("rmsg"), RoomId = roomId, Seq = seq, SenderId = sender, Body = body,
            Mentions = mentioned.Count == 0 ? null : JsonSerializer.Serialize(mentioned), ParentId = parentId, CreatedAt = now,
        };
        Db.RoomMessages.Add(message);
        await notifier.MessagePostedAsync(roomId, message.Id, sender, c);
        // The message's own quota before the wakes its mentions start (LockKeys: a send's quota, then agent-runs).
        await quotas.AdmitAsync(scope.UsageWorkspaceId, Meters.Messages, 1, c);
        var excerpt = Excerpt(body);
        foreach (var agentId in mentioned)
        {
            var mention = new Mention
            {
                Id = ids.New("men"), AgentId = agentId, RoomId = roomId, MessageId = message.Id, Seq = seq, SenderId = sender, Excerpt = excerpt,
                TaskId = taskId, CreatedAt = now,
            };
            Db.Mentions.Add(mention);
            notifier.Mentioned(agentId, mention.Id);
            // A mention (or the mention of an assignment) may wake the agent on its owner's device.
            await waker.WakeAsync(agentId, new WakeRequester(sender, scope.Caller.Account?.Id, scope.Caller.Agent?.OwnerWorkspaceId),
                new RunRequest(taskId is null ? RunReasons.Mention : RunReasons.TaskAssigned, sender)
                {
                    RoomId = roomId, MentionId = mention.Id, TaskId = taskId,
                    Prompt = (taskId is null ? $"{Who(scope)} mentioned you in room {roomId}:" : $"{Who(scope)} assigned you task {taskId} in room {roomId}:")
                        + $"\n\n{body}",
                }, c);
        }
        return message;
    }

    /// <summary>Who wrote, as the woken agent's prompt names them: an agent by handle, a person by name.</summary>
    private static string Who(RoomScope scope) => scope.Caller.Agent is { } agent ? "@" + agent.Handle : scope.Caller.Account?.Name ?? scope.Principal;

    private static string Excerpt(string body)
    {
        var runes = body.EnumerateRunes().Take(ExcerptLength + 1).ToList();
        var text = string.Concat(runes.Take(ExcerptLength).Select(r => r.ToString()));
        return runes.Count > ExcerptLength ? text + "…" : text;
    }

    /// <summary>History ascending by seq: the latest <c>limit</c>, or those before or after a seq.</summary>
    public async Task<RoomHistoryPage> HistoryAsync(Caller caller, string roomId, int? limit, long? beforeSeq, long? afterSeq, CancellationToken ct)
    {
        await access.OpenAsync(caller, roomId, ct);
        var take = SeqWindow.Validate(limit, beforeSeq, afterSeq);
        var query = Db.RoomMessages.AsNoTracking().Where(m => m.RoomId == roomId);
        List<RoomMessage> rows;
        bool hasMore;
        if (afterSeq is { } after)
        {
            rows = await query.Where(m => m.Seq > after).OrderBy(m => m.Seq).Take(take + 1).ToListAsync(ct);
            hasMore = rows.Count > take;
            rows = [.. rows.Take(take)];
        }
        else
        {
            rows = await query.Where(m => beforeSeq == null || m.Seq < beforeSeq).OrderByDescending(m => m.Seq).Take(take + 1).ToListAsync(ct);
            hasMore = rows.Count > take;
            rows = [.. rows.Take(take).Reverse()];
        }
        return new RoomHistoryPage(await ThreadViews.MessagesAsync(Db, rows, ct), hasMore);
    }

    /// <summary>The calling agent's unacknowledged mentions, oldest first, in rooms it is still a member of.</summary>
    public async Task<Page<MentionView>> MentionsAsync(Caller caller, string? room, long? sinceSeq, int? limit, string? cursor, CancellationToken ct)
    {
        var v = new Validator();
        if (sinceSeq is not null && room is null)
        {
            v.Add("since_seq", "needs room");
        }
        v.Range("since_seq", sinceSeq, 0, long.MaxValue);
        v.ThrowIfInvalid();
        var paging = Paging.From(limit, cursor);
        if (room is not null)
        {
            await access.OpenAsync(caller, room, ct);
        }
        var agentId = caller.Id;
        var rows = await Db.Mentions.AsNoTracking()
            .Where(m => m.AgentId == agentId && m.AckedAt == null && (room == null || m.RoomId == room) && (sinceSeq == null || m.Seq > sinceSeq)
                && (paging.After == null || string.Compare(m.Id, paging.After) > 0)
                && Db.RoomMembers.Any(r => r.RoomId == m.RoomId && r.MemberId == agentId))
            .OrderBy(m => m.Id).Take(paging.Limit + 1).ToListAsync(ct);
        var (items, next) = paging.Cut(rows, m => m.Id);
        return new Page<MentionView>(await ThreadViews.MentionsAsync(Db, items, ct), next);
    }

    /// <summary>Acknowledges mentions by id, or a room's up to a seq. Counts only those acknowledged now: each is handled once.</summary>
    public async Task<MentionsAcked> AckAsync(Caller caller, AckMentionsRequest request, CancellationToken ct)
    {
        var byIds = request.MentionIds is not null;
        var byRoom = request.Room is not null || request.LastMentionSeq is not null;
        var v = new Validator();
        if (byIds == byRoom)
        {
            v.Add("mention_ids", "give either mention_ids, or room with last_mention_seq");
        }
        else if (byIds && request.MentionIds!.Count is 0 or > 500)
        {
            v.Add("mention_ids", "must hold 1-500 ids");
        }
        else if (byRoom)
        {
            v.Required("room", request.Room);
            v.Required("last_mention_seq", request.LastMentionSeq);
        }
        v.ThrowIfInvalid();
        if (byRoom)
        {
            await access.OpenAsync(caller, request.Room!, ct);
        }
        var agentId = caller.Id;
        var now = time.NowMs();
        var ids = request.MentionIds ?? [];
        var room = request.Room;
        var upTo = request.LastMentionSeq ?? 0;
        // One conditional update: of two concurrent acknowledgements of a mention, exactly one counts it.
        var acked = await writes.RunAsync(c => Db.Mentions
            .Where(m => m.AgentId == agentId && m.AckedAt == null && (byIds ? ids.Contains(m.Id) : m.RoomId == room && m.Seq <= upTo))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.AckedAt, now), c), ct);
        return new MentionsAcked(acked);
    }
}
