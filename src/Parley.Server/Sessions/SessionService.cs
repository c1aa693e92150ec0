using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Contracts.Identity;
using Parley.Contracts.Json;
using Parley.Contracts.Sessions;
using Parley.Server.Data;
using Parley.Server.Gateway.Calls;
using Parley.Server.Gateway.Sites;
using Parley.Server.Governance.Credits;
using Parley.Server.Governance.Usage;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Sessions;

/// <summary><c>Sessions:*</c>.</summary>
internal sealed class SessionOptions
{
    public int IdleMinutes { get; set; } = 60;
    public int MaxHours { get; set; } = 24;

    /// <summary>How long the provider may take to start answering.</summary>
    public int TimeoutSeconds { get; set; } = 90;

    /// <summary>The most tokens one provider call may answer with (what is reserved in credits and quota).</summary>
    public int MaxOutputTokens { get; set; } = 1024;

    public int DefaultMaxToolRounds { get; set; } = 8;
}

/// <summary>Something a message's answer produced, in order: what a stream sends as an event (sessions.md).</summary>
internal sealed record SessionEvent(string Type, object Data);

/// <summary>
/// Model sessions (sessions.md): a conversation of a person or an agent with a model of the workspace, which may call
/// the tools of the session's sites. Every provider call and every tool call is a governed call (rules, approvals,
/// limits, the log); before each provider call the price of its most tokens is reserved in credits and counted on the
/// <c>model_tokens</c> quota, and both are settled at what the provider reports it used. One answer at a time per
/// session.
/// </summary>
internal sealed class SessionService(Writes writes, Ids ids, TimeProvider time, ModelService models, GovernedCalls calls, SiteService sites,
    CreditLedger credits, Prices prices, Quotas quotas, IOptions<SessionOptions> options)
{
    private ParleyDb Db => writes.Db;
    private SessionOptions Options => options.Value;

    public async Task<SessionView> CreateAsync(Caller caller, CreateSessionRequest request, CancellationToken ct)
    {
        var check = new Validator();
        check.Length("model", request.Model, 1, 200);
        check.Length("system", request.System, 0, 20_000);
        if (request.Sites is { Count: > 20 })
        {
            check.Add("sites", "at most 20 sites");
        }
        if (request.MaxToolRounds is < 0 or > 32)
        {
            check.Add("max_tool_rounds", "must be from 0 to 32");
        }
        check.ThrowIfInvalid();
        var workspaceId = await WorkspaceOfAsync(caller, request.WorkspaceId, ct);
        var (provider, model) = await models.ForModelAsync(workspaceId, request.Model, ct);
        var siteIds = (request.Sites ?? []).Distinct(StringComparer.Ordinal).ToList();
        var known = await Db.Sites.AsNoTracking().Where(s => s.WorkspaceId == workspaceId && siteIds.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
        var v = new Validator();
        for (var i = 0; i < siteIds.Count; i++)
        {
            if (!known.Contains(siteIds[i]))
            {
                v.Add($"sites[{i}]", "is not a site of the workspace");
            }
        }
        v.ThrowIfInvalid();
        var now = time.NowMs();
        var session = new ChatSession
        {
            Id = ids.New("ses"), WorkspaceId = workspaceId, CreatedBy = caller.PartitionKey, ProviderId = provider.Id, Model = model,
            System = request.System, Sites = JsonSerializer.Serialize(siteIds), MaxToolRounds = request.MaxToolRounds ?? Options.DefaultMaxToolRounds,
            CreatedAt = now, LastMessageAt = now,
        };
        await writes.RunAsync(_ =>
        {
            Db.ChatSessions.Add(session);
            return Task.CompletedTask;
        }, ct);
        return await ViewAsync(session, ct);
    }

    public async Task<SessionView> GetAsync(Caller caller, string id, CancellationToken ct) => await ViewAsync(await VisibleAsync(caller, id, ct), ct);

    public async Task<SessionMessageList> MessagesAsync(Caller caller, string id, CancellationToken ct)
    {
        var session = await VisibleAsync(caller, id, ct);
        var rows = await Db.ChatMessages.AsNoTracking().Where(m => m.SessionId == session.Id).OrderBy(m => m.Id).ToListAsync(ct);
        return new SessionMessageList([.. rows.Select(View)]);
    }

    public async Task DeleteAsync(Caller caller, string id, CancellationToken ct)
    {
        var session = await OwnAsync(caller, id, ct);
        await writes.RunAsync(async c =>
        {
            await Db.ChatMessages.Where(m => m.SessionId == session.Id).ExecuteDeleteAsync(c);
            await Db.ChatSessions.Where(s => s.Id == session.Id).ExecuteDeleteAsync(c);
        }, ct);
    }

    /// <summary>
    /// Answers a message: the model is called (and the tools it asks for), <paramref name="emit"/> hears every event as it
    /// happens, and the assistant's message is stored and returned. A catalog error is stored on the message
    /// (<c>failed</c>) and thrown; the caller going away stores it <c>aborted</c> (<c>STREAM_ABORTED</c>, no partial text).
    /// </summary>
    public async Task<SessionMessageView> SendAsync(Caller caller, string id, SendSessionMessageRequest request, bool stream, Func<SessionEvent, Task> emit,
        CancellationToken ct)
    {
        var v = new Validator();
        var content = v.Required("content", request.Content);
        v.Length("content", request.Content, 1, 100_000);
        v.ThrowIfInvalid();
        var session = await OwnAsync(caller, id, ct);
        var now = time.NowMs();
        if (ExpiresAt(session) <= now)
        {
            throw new ApiException(ErrorCodes.SessionExpired, "The session expired.", ApiErrors.Details(("expired_at", Clock.Time(ExpiresAt(session)))));
        }
        var staleBefore = now - ((Options.TimeoutSeconds + 60) * Clock.SecondMs * (session.MaxToolRounds + 1));
        var claimed = await writes.RunAsync(c => Db.ChatSessions.Where(s => s.Id == session.Id && (s.AnsweringSince == null || s.AnsweringSince < staleBefore))
            .ExecuteUpdateAsync(x => x.SetProperty(s => s.AnsweringSince, now).SetProperty(s => s.LastMessageAt, now), c), ct);
        if (claimed == 0)
        {
            throw ApiErrors.Conflict("The session is answering another message.");
        }
        try
        {
            await StoreAsync(session.Id, "user", content, null, null, SessionMessageStatus.Complete, null, null, null, ct);
            return await AnswerAsync(caller, session, stream, emit, ct);
        }
        finally
        {
            await writes.RunAsync(c => Db.ChatSessions.Where(s => s.Id == session.Id).ExecuteUpdateAsync(x => x.SetProperty(s => s.AnsweringSince, (long?)null), c),
                CancellationToken.None);
        }
    }

    private async Task<SessionMessageView> AnswerAsync(Caller caller, ChatSession session, bool stream, Func<SessionEvent, Task> emit, CancellationToken ct)
    {
        var provider = await Db.ModelProviders.AsNoTracking().FirstOrDefaultAsync(p => p.Id == session.ProviderId, ct)
            ?? throw ApiErrors.Validation("model", "the session's model provider was removed");
        var actor = new CallActor(session.WorkspaceId, caller.Agent, caller.Id);
        var siteIds = JsonSerializer.Deserialize<List<string>>(session.Sites)!;
        var offered = (await sites.ToolsAsync(session.WorkspaceId, siteIds, ct))
            .Select((t, n) => (Function: FunctionName(n, t.Tool.Name), t.Site, t.Tool)).ToList();
        var tools = offered.Select(t => new ChatTool(t.Function, t.Tool.Description, t.Tool.InputSchema)).ToList();
        long inputTokens = 0, outputTokens = 0, creditMicros = 0;
        var settled = true;
        CreditDebit? reservation = null;
        Admission? admission = null;
        long estimate = 0;
        try
        {
            for (var round = 0; ; round++)
            {
                var turns = await TurnsAsync(session, ct);
                var last = round >= session.MaxToolRounds;
                var body = ChatCompletions.Request(session.Model, turns, last ? [] : tools, Options.MaxOutputTokens, stream);
                estimate = (Encoding.UTF8.GetByteCount(string.Join('\n', turns.Select(t => t.Content))) / 4) + 1;
                (reservation, admission) = await ReserveAsync(session, estimate, ct);
                settled = false;
                var reply = await CallModelAsync(actor, provider, body, stream, emit, ct);
                var used = await SettleAsync(session, reservation, admission, reply.InputTokens, reply.OutputTokens, CancellationToken.None);
                settled = true;
                inputTokens += reply.InputTokens;
                outputTokens += reply.OutputTokens;
                creditMicros += used;
                if (reply.ToolCalls.Count == 0 || last)
                {
                    var message = await StoreAsync(session.Id, "assistant", reply.Text, null, null, SessionMessageStatus.Complete, null,
                        new TokenUsage(inputTokens, outputTokens), creditMicros, CancellationToken.None);
                    await emit(new SessionEvent("done", new { message_id = message.Id, usage = message.Usage, credits = message.Credits }));
                    return message;
                }
                var called = reply.ToolCalls.Select(c => offered.FirstOrDefault(o => o.Function == c.Function) is { Site: not null } match
                    ? new SessionToolCall(c.Id, match.Site.Id, match.Tool.Name, Arguments(c.Arguments))
                    : new SessionToolCall(c.Id, "", c.Function, Arguments(c.Arguments))).ToList();
                await StoreAsync(session.Id, "assistant", reply.Text, called, reply.ToolCalls, SessionMessageStatus.Complete, null, null, null, CancellationToken.None);
                foreach (var call in called)
                {
                    await emit(new SessionEvent("tool_call", call));
                    string result;
                    try
                    {
                        if (call.SiteId.Length == 0)
                        {
                            throw new ApiException(ErrorCodes.NotFound, $"No tool '{call.Tool}' in this session.");
                        }
                        var answer = await sites.CallToolAsync(actor, call.SiteId, call.Tool, call.Arguments, ct);
                        result = answer.Result.GetRawText();
                        await emit(new SessionEvent("tool_result", new { id = call.Id, ok = true, result = answer.Result }));
                    }
                    catch (ApiException e)
                    {
                        // A failing tool is the model's to handle: it gets the error as the tool's result, and the session goes on.
                        var error = Platform.Errors.ErrorWriter.Envelope(e, "tool", null).Error;
                        result = JsonSerializer.Serialize(new { error }, ParleyJson.Options);
                        await emit(new SessionEvent("tool_result", new { id = call.Id, ok = false, error }));
                    }
                    await StoreAsync(session.Id, "tool", result, null, null, SessionMessageStatus.Complete, null, null, null, CancellationToken.None, call.Id);
                }
            }
        }
        catch (ApiException e)
        {
            if (!settled && reservation is not null)
            {
                creditMicros += await SettleAsync(session, reservation, admission, 0, 0, CancellationToken.None);
            }
            await StoreAsync(session.Id, "assistant", "", null, null, SessionMessageStatus.Failed, e.Code, new TokenUsage(inputTokens, outputTokens), creditMicros,
                CancellationToken.None);
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away: the upstream call is cancelled with it; what was sent is paid for, the partial text is not kept.
            if (!settled && reservation is not null)
            {
                creditMicros += await SettleAsync(session, reservation, admission, estimate, 0, CancellationToken.None);
            }
            await StoreAsync(session.Id, "assistant", "", null, null, SessionMessageStatus.Aborted, ErrorCodes.StreamAborted,
                new TokenUsage(inputTokens, outputTokens), creditMicros, CancellationToken.None);
            throw;
        }
    }

    /// <summary>One provider call, governed; the provider's failures become <c>UPSTREAM_ERROR {upstream: "model"}</c> and timeouts <c>UPSTREAM_TIMEOUT</c>.</summary>
    private async Task<ChatReply> CallModelAsync(CallActor actor, ModelProvider provider, byte[] body, bool stream, Func<SessionEvent, Task> emit,
        CancellationToken ct)
    {
        var request = new OutboundRequest("POST", new Uri(provider.BaseUrl + "/chat/completions"),
            [new("Content-Type", "application/json"), new("Accept", stream ? "text/event-stream" : "application/json")], body);
        var settings = new CallSettings(CallVia.Api, Options.TimeoutSeconds * 1000);
        if (!stream)
        {
            var outcome = await calls.CallAsync(actor, request, settings, ct);
            EnsureSuccess(outcome.Response.Status);
            try
            {
                return ChatCompletions.ParseReply(outcome.Response.Body);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
            {
                throw ModelError(null, "the provider's answer is not a chat completion");
            }
        }
        using var call = await calls.OpenAsync(actor, request, settings, ct);
        if (!call.Response.IsSuccessStatusCode)
        {
            await call.EndAsync(0, ErrorCodes.UpstreamError);
            EnsureSuccess((int)call.Response.StatusCode);
        }
        await using var counted = new CountingStream(await call.Response.Content.ReadAsStreamAsync(ct));
        try
        {
            var reply = await ChatCompletions.ReadStreamAsync(counted, text => emit(new SessionEvent("delta", new { text })), ct);
            await call.EndAsync(counted.Count, null);
            return reply;
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
        {
            await call.EndAsync(counted.Count, ErrorCodes.UpstreamError);
            throw ModelError(null, "the provider's stream broke off");
        }
        catch (OperationCanceledException)
        {
            await call.EndAsync(counted.Count, "CANCELLED");
            throw;
        }
    }

    private static void EnsureSuccess(int status)
    {
        if (status is < 200 or > 299)
        {
            throw ModelError(status, $"the model provider answered {status}");
        }
    }

    private static ApiException ModelError(int? status, string reason) =>
        new(ErrorCodes.UpstreamError, "The model provider failed: " + reason + ".", ApiErrors.Details(("upstream_status", status), ("upstream", "model")));

    /// <summary>Before a provider call: its most tokens reserved in credits (<c>NO_CREDITS</c>) and on the quota (<c>QUOTA_EXCEEDED</c>).</summary>
    private Task<(CreditDebit? Reservation, Admission? Admission)> ReserveAsync(ChatSession session, long inputEstimate, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var admission = await quotas.AdmitAsync(session.WorkspaceId, Meters.ModelTokens, inputEstimate + Options.MaxOutputTokens, c);
            var reservation = await credits.ReserveAsync(session.WorkspaceId, Price(session.Model, inputEstimate, Options.MaxOutputTokens), session.Id, c);
            return (reservation, (Admission?)admission);
        }, ct);

    /// <summary>After it: credits settled at the tokens used (the rest refunded), the quota's unused tokens given back. Returns the price paid.</summary>
    private async Task<long> SettleAsync(ChatSession session, CreditDebit? reservation, Admission? admission, long input, long output, CancellationToken ct)
    {
        var price = Price(session.Model, input, output);
        if (reservation is not null)
        {
            await credits.SettleAsync(reservation.LedgerId, price, ct);
        }
        if (admission is not null && admission.Units > input + output)
        {
            await quotas.ReturnAsync(admission with { Units = admission.Units - (input + output) }, ct);
        }
        return reservation is null ? 0 : Math.Min(price, reservation.Micros);
    }

    /// <summary>The price of tokens: per started thousand, input and output at the model's prices (<c>Governance:Prices</c>).</summary>
    private long Price(string model, long input, long output) =>
        (prices.MicrosOf(Prices.ModelInput1kTokens, model) * ((input + 999) / 1000)) + (prices.MicrosOf(Prices.ModelOutput1kTokens, model) * ((output + 999) / 1000));

    private async Task<List<ChatTurn>> TurnsAsync(ChatSession session, CancellationToken ct)
    {
        var turns = new List<ChatTurn>();
        if (session.System is { } system)
        {
            turns.Add(new ChatTurn("system", system));
        }
        var rows = await Db.ChatMessages.AsNoTracking().Where(m => m.SessionId == session.Id && m.Status == SessionMessageStatus.Complete)
            .OrderBy(m => m.Id).ToListAsync(ct);
        foreach (var row in rows)
        {
            turns.Add(row.Role switch
            {
                "assistant" when row.ToolCalls is { } calls => new ChatTurn("assistant", row.Content.Length == 0 ? null : row.Content,
                    JsonSerializer.Deserialize<List<StoredCall>>(calls, ParleyJson.Options)!.Select(c => new ChatToolCall(c.Id, c.Function, c.Arguments)).ToList()),
                "tool" => new ChatTurn("tool", row.Content, ToolCallId: row.ToolCallId),
                _ => new ChatTurn(row.Role, row.Content),
            });
        }
        return turns;
    }

    /// <summary>An assistant's tool call as stored: the protocol's function name and arguments, and which site's tool it was.</summary>
    private sealed record StoredCall(string Id, string Function, string Arguments, string SiteId, string Tool);

    private async Task<SessionMessageView> StoreAsync(string sessionId, string role, string content, List<SessionToolCall>? called, List<ChatToolCall>? raw,
        string status, string? errorCode, TokenUsage? usage, long? creditMicros, CancellationToken ct, string? toolCallId = null)
    {
        var row = new ChatMessage
        {
            Id = ids.New("smsg"), SessionId = sessionId, Role = role, Content = content, Status = status, ErrorCode = errorCode, ToolCallId = toolCallId,
            InputTokens = usage?.InputTokens, OutputTokens = usage?.OutputTokens, CreditMicros = creditMicros, CreatedAt = time.NowMs(),
            ToolCalls = called is null ? null : JsonSerializer.Serialize(called.Zip(raw!, (c, r) => new StoredCall(c.Id, r.Function, r.Arguments, c.SiteId, c.Tool)),
                ParleyJson.Options),
        };
        await writes.RunAsync(_ =>
        {
            Db.ChatMessages.Add(row);
            return Task.CompletedTask;
        }, ct);
        return View(row);
    }

    private static JsonElement Arguments(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }

    /// <summary>A function name the protocol accepts (<c>[A-Za-z0-9_-]{1,64}</c>), unique by the tool's place.</summary>
    private static string FunctionName(int index, string tool)
    {
        var safe = new string([.. tool.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_')]);
        var name = $"t{index}_{safe}";
        return name.Length <= 64 ? name : name[..64];
    }

    private long ExpiresAt(ChatSession s) =>
        Math.Min(s.LastMessageAt + (Options.IdleMinutes * Clock.MinuteMs), s.CreatedAt + (Options.MaxHours * Clock.HourMs));

    /// <summary>An agent's own workspace; a person names one of theirs (or has only one).</summary>
    private async Task<string> WorkspaceOfAsync(Caller caller, string? requested, CancellationToken ct)
    {
        if (caller.Agent is { } agent)
        {
            return agent.OwnerWorkspaceId ?? throw ApiErrors.Forbidden("unclaimed", "An agent without an owner's workspace has no models.");
        }
        var mine = await Db.WorkspaceMembers.AsNoTracking().Where(m => m.AccountId == caller.Account!.Id).Select(m => m.WorkspaceId).ToListAsync(ct);
        if (requested is null)
        {
            return mine.Count == 1 ? mine[0] : throw ApiErrors.Validation("workspace_id", "name the workspace (you belong to several)");
        }
        return mine.Contains(requested) ? requested : throw new ApiException(ErrorCodes.WorkspaceNotFound, "No such workspace of yours.");
    }

    /// <summary>
    /// A session its creator or an owner of its workspace may read; anything else — and an id that is a session's but not
    /// theirs — is <c>NOT_FOUND</c>, exactly like one that does not exist. An id that is not a session id is <c>VALIDATION_ERROR</c>.
    /// </summary>
    private async Task<ChatSession> VisibleAsync(Caller caller, string id, CancellationToken ct)
    {
        if (!id.StartsWith("ses_", StringComparison.Ordinal))
        {
            throw ApiErrors.Validation("session_id", "is not a session id (ses_…)");
        }
        var session = await Db.ChatSessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw ApiErrors.NotFound();
        if (session.CreatedBy == caller.PartitionKey
            || (caller.Account is { } account && await WorkspaceQueries.IsMemberAsync(Db, account.Id, session.WorkspaceId, ct)))
        {
            return session;
        }
        throw ApiErrors.NotFound();
    }

    /// <summary>A session only its creator may write to (others who may read it are <c>FORBIDDEN</c>).</summary>
    private async Task<ChatSession> OwnAsync(Caller caller, string id, CancellationToken ct)
    {
        var session = await VisibleAsync(caller, id, ct);
        return session.CreatedBy == caller.PartitionKey ? session : throw ApiErrors.Forbidden("creator_only", "Only the session's creator may do this.");
    }

    private async Task<SessionView> ViewAsync(ChatSession s, CancellationToken ct)
    {
        var creator = s.CreatedBy.StartsWith("agent:", StringComparison.Ordinal)
            ? await AgentQueries.ActorAsync(Db, s.CreatedBy["agent:".Length..], ct) ?? new ActorRef("agent", s.CreatedBy["agent:".Length..])
            : new ActorRef("account", s.CreatedBy[(s.CreatedBy.IndexOf(':') + 1)..]);
        return new SessionView(s.Id, s.WorkspaceId, creator, s.ProviderId, s.Model, s.System, JsonSerializer.Deserialize<List<string>>(s.Sites)!, s.MaxToolRounds,
            Clock.Time(s.CreatedAt), Clock.Time(s.LastMessageAt), Clock.Time(ExpiresAt(s)));
    }

    private static SessionMessageView View(ChatMessage m) => new(m.Id, m.Role, m.Content,
        m.ToolCalls is null ? null : JsonSerializer.Deserialize<List<StoredCall>>(m.ToolCalls, ParleyJson.Options)!
            .Select(c => new SessionToolCall(c.Id, c.SiteId, c.Tool, Arguments(c.Arguments))).ToList(),
        m.ToolCallId, m.Status, m.ErrorCode, m.InputTokens is null ? null : new TokenUsage(m.InputTokens.Value, m.OutputTokens ?? 0),
        m.CreditMicros is null ? null : CreditAmount.ToCredits(m.CreditMicros.Value), Clock.Time(m.CreatedAt));
}

/// <summary>Counts the bytes read through it (the log's <c>bytes_in</c> of a streamed call).</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public long Count { get; private set; }
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Count += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Count += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
