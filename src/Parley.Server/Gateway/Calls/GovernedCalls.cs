using System.Data.Common;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Gateway;
using Parley.Server.Data;
using Parley.Server.Gateway.Approvals;
using Parley.Server.Gateway.Log;
using Parley.Server.Gateway.Rules;
using Parley.Server.Gateway.Vault;
using Parley.Server.Governance.Credits;
using Parley.Server.Governance.Usage;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Http;

namespace Parley.Server.Gateway.Calls;

/// <summary>An outbound request as the gateway takes it, from the call API or the proxy.</summary>
internal sealed record OutboundRequest(string Method, Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body);

/// <summary>The upstream's answer.</summary>
internal sealed record OutboundResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body);

/// <summary>A governed call that reached its upstream.</summary>
internal sealed record CallOutcome(OutboundResponse Response, long DurationMs, IReadOnlyList<string> Injected, string LogId);

/// <summary>How a call is made: which way it came (for the log), its upstream timeout, and whether the site wants the agent's identity.</summary>
internal sealed record CallSettings(string Via, int? TimeoutMs = null, bool PresentIdentity = false);

/// <summary>
/// Who a governed call is made for: an agent (its rules, its vault entries, its identity), or a person acting in a
/// workspace (a model session an owner started), whose calls match only rules and entries not limited to agents.
/// </summary>
internal sealed record CallActor(string WorkspaceId, Agent? Agent, string PrincipalId)
{
    public string? AgentId => Agent?.Id;

    public static CallActor Of(Caller caller) => caller.Agent is { } agent
        ? new CallActor(agent.OwnerWorkspaceId ?? throw ApiErrors.Forbidden("unclaimed", "An agent without an owner's workspace has no gateway."), agent, agent.Id)
        : throw ApiErrors.Forbidden("agents_only", "Governed calls are made for agents.");
}

/// <summary>A governed call whose answer is being read as it arrives; <see cref="EndAsync"/> writes its log line.</summary>
internal sealed class StreamingCall(HttpResponseMessage response, GatewayLogEntry entry, Stopwatch watch, IReadOnlyList<string> injected, GatewayLog log)
    : IDisposable
{
    public HttpResponseMessage Response => response;
    public IReadOnlyList<string> Injected => injected;
    public string LogId => entry.Id;

    /// <summary>The call is over: how many bytes came in, and the error that ended it, if one did.</summary>
    public Task EndAsync(long bytesIn, string? errorCode)
    {
        entry.DurationMs = watch.ElapsedMilliseconds;
        entry.BytesIn = bytesIn;
        if (errorCode is not null)
        {
            entry.ErrorCode = errorCode;
            entry.Decision = GatewayDecisions.Error;
        }
        return log.WriteAsync(entry);
    }

    public void Dispose() => response.Dispose();
}

/// <summary>Where a governed call came from, as the request log names it.</summary>
internal static class CallVia
{
    public const string Api = "api";
    public const string Proxy = "proxy";
    public const string Tool = "tool";
}

/// <summary>
/// Every governed call goes through here, whichever way it came (gateway.md): the workspace's rules in their order
/// (block, hold for approval, rate limits, the default policy), then — in one write, so a refusal takes nothing — each
/// matching rate-limit window, the per-domain limit, the <c>governed_calls</c> quota and the <c>governed_call</c>
/// price; then the vault's values injected, the call made through the guarded outbound client, and the request log.
/// Refused calls are logged and not counted; a call that reached the stage of being sent is counted even when its
/// upstream then fails.
/// </summary>
internal sealed class GovernedCalls(
    Writes writes, TimeProvider time, OutboundHttp outbound, VaultService vault, RuleService rules, ApprovalService approvals, Quotas quotas,
    CreditLedger credits, Prices prices, PublicSuffixes suffixes, GatewayLog log, IdentityPresentation identity, IOptions<GatewayOptions> options)
{
    private ParleyDb Db => writes.Db;
    private GatewayOptions Options => options.Value;

    /// <summary>Makes a call for an agent (its key or a passport), or answers the catalog error that stopped it.</summary>
    public Task<CallOutcome> CallAsync(Caller caller, OutboundRequest request, CallSettings settings, CancellationToken ct) =>
        CallAsync(CallActor.Of(caller), request, settings, ct);

    /// <summary>Makes a call for an agent or a person of a workspace (a model session), buffered.</summary>
    public async Task<CallOutcome> CallAsync(CallActor actor, OutboundRequest request, CallSettings settings, CancellationToken ct)
    {
        var call = await PrepareAsync(actor, request, settings, ct);
        return await GuardAsync(call.Entry, async () =>
        {
            var watch = Stopwatch.StartNew();
            var response = await SendAsync(call.Request, call.TimeoutMs, ct);
            call.Entry.DurationMs = watch.ElapsedMilliseconds;
            call.Entry.Status = response.Status;
            call.Entry.BytesIn = response.Body.Length;
            call.Entry.Decision = GatewayDecisions.Allowed;
            await log.WriteAsync(call.Entry);
            return new CallOutcome(response, call.Entry.DurationMs.Value, call.Injected, call.Entry.Id);
        }, ct);
    }

    /// <summary>
    /// Makes a call whose answer is read as it arrives (a model's stream): governed like any other, the timeout bounding
    /// only the wait for the answer's headers. The caller reads the body and then <see cref="StreamingCall.EndAsync"/>.
    /// </summary>
    public async Task<StreamingCall> OpenAsync(CallActor actor, OutboundRequest request, CallSettings settings, CancellationToken ct)
    {
        var call = await PrepareAsync(actor, request, settings, ct);
        return await GuardAsync(call.Entry, async () =>
        {
            var watch = Stopwatch.StartNew();
            var response = await SendStreamingAsync(call.Request, call.TimeoutMs, ct);
            call.Entry.Status = (int)response.StatusCode;
            call.Entry.Decision = GatewayDecisions.Allowed;
            return new StreamingCall(response, call.Entry, watch, call.Injected, log);
        }, ct);
    }

    /// <summary>A call that passed every rule and limit and carries the vault's values: ready to send.</summary>
    private sealed record PreparedCall(OutboundRequest Request, GatewayLogEntry Entry, List<string> Injected, int TimeoutMs);

    private async Task<PreparedCall> PrepareAsync(CallActor actor, OutboundRequest request, CallSettings settings, CancellationToken ct)
    {
        if (request.Body.Length > Options.MaxBodyBytes)
        {
            throw ApiErrors.TooLarge(Options.MaxBodyBytes, $"A governed call's body is at most {Options.MaxBodyBytes} bytes.");
        }
        var entry = log.Start(actor.WorkspaceId, actor.PrincipalId, request.Method, request.Url, settings.Via, request.Body.Length);
        return await GuardAsync(entry, () => GovernAsync(actor, request, entry, settings, ct), ct);
    }

    /// <summary>Logs a call that ends in a catalog error (or the caller leaving) with its decision, and lets the error go on.</summary>
    private async Task<T> GuardAsync<T>(GatewayLogEntry entry, Func<Task<T>> action, CancellationToken ct)
    {
        try
        {
            return await action();
        }
        catch (ApiException e)
        {
            entry.ErrorCode = e.Code;
            entry.Decision = entry.Decision is null or GatewayDecisions.Allowed ? e.Code switch
            {
                ErrorCodes.PolicyBlocked or ErrorCodes.NoCredits or ErrorCodes.Forbidden => GatewayDecisions.Blocked,
                ErrorCodes.RateLimited or ErrorCodes.OutgoingRateLimited or ErrorCodes.QuotaExceeded => GatewayDecisions.RateLimited,
                ErrorCodes.ApprovalDenied => GatewayDecisions.ApprovalDenied,
                _ => GatewayDecisions.Error,
            } : entry.Decision;
            await log.WriteAsync(entry);
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            entry.ErrorCode = "CANCELLED";
            entry.Decision = GatewayDecisions.Error;
            await log.WriteAsync(entry);
            throw;
        }
    }

    private async Task<PreparedCall> GovernAsync(CallActor actor, OutboundRequest request, GatewayLogEntry entry, CallSettings settings, CancellationToken ct)
    {
        var workspaceId = actor.WorkspaceId;
        var url = request.Url;
        if (outbound.IsRefusedLiteral(url))
        {
            throw PrivateAddress();
        }
        var method = request.Method.ToUpperInvariant();
        var matching = (await Db.GatewayRules.AsNoTracking().Where(r => r.WorkspaceId == workspaceId && r.Enabled).ToListAsync(ct))
            .Where(r => Matches(r, actor.AgentId, method, url)).OrderBy(r => r.Id).ToList();
        var entries = await vault.ForAgentAsync(workspaceId, actor.AgentId, ct);

        // 1. Any block.
        if (matching.FirstOrDefault(r => r.Action == RuleActions.Block) is { } block)
        {
            entry.RuleId = block.Id;
            throw new ApiException(ErrorCodes.PolicyBlocked, $"Blocked by the rule '{block.Name}'.",
                ApiErrors.Details(("rule_id", block.Id), ("rule_name", block.Name), ("reason", "rule")));
        }
        // 2. Any manual approval: the call waits for an owner — unless an owner already said yes to exactly this (Remembered).
        if (matching.FirstOrDefault(r => r.Action == RuleActions.ManualApproval) is { } hold && !Remembered(matching, actor.AgentId, method))
        {
            entry.RuleId = hold.Id;
            entry.ApprovalId = await approvals.HoldAsync(new HeldCall(workspaceId, actor.PrincipalId, method, Display(url), url.Host, url.Port, url.IsDefaultPort,
                url.AbsolutePath, Preview(request, entries), hold.Id), ct);
        }
        var limits = matching.Where(r => r.Action == RuleActions.RateLimit).ToList();
        // 4. The default policy: in deny mode, something must allow the call.
        var policy = rules.SettingsView(workspaceId, await Db.GatewaySettings.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId, ct));
        if (policy.PolicyMode == "deny" && !matching.Any(r => r.Action is RuleActions.Allow or RuleActions.RateLimit) && entry.ApprovalId is null)
        {
            throw new ApiException(ErrorCodes.PolicyBlocked, "The workspace's policy is deny, and no rule allows this call.",
                ApiErrors.Details(("rule_id", null), ("rule_name", null), ("reason", "default_policy")));
        }
        await AdmitAsync(workspaceId, actor.PrincipalId, url, limits, policy.PerDomainPerMinute, entry, ct);

        // The vault's values, most specific entry first for each header, parameter or path; the agent's identity when asked for.
        var (prepared, injected) = Inject(request, entries);
        var headers = prepared.Headers.Where(h => !h.Key.Equals(IdentityPresentation.Header, StringComparison.OrdinalIgnoreCase)).ToList();
        if (actor.Agent is { } agent && (settings.PresentIdentity || matching.Any(r => r.PresentIdentity)))
        {
            headers.Add(new(IdentityPresentation.Header, identity.For(agent, url.IdnHost)));
        }
        entry.Injected = JsonSerializer.Serialize(injected);
        entry.RuleId ??= matching.FirstOrDefault()?.Id;
        return new PreparedCall(prepared with { Headers = headers }, entry, injected, Math.Clamp(settings.TimeoutMs ?? Options.DefaultTimeoutMs, 1, Options.MaxTimeoutMs));
    }

    /// <summary>
    /// One write: every matching rate-limit window, then the per-domain window, the quota and the price. Anything that
    /// refuses rolls all of it back. A count that cannot be taken refuses the call (503): limits never fail open.
    /// </summary>
    private async Task AdmitAsync(string workspaceId, string agentId, Uri url, List<GatewayRule> limits, int perDomain, GatewayLogEntry entry,
        CancellationToken ct)
    {
        var domain = suffixes.RegistrableDomain(url.IdnHost);
        try
        {
            await writes.RunAsync(async c =>
            {
                // The windows of the call's arrival, the time its log line carries: a call that arrived in one minute and
                // was admitted in the next counts in the minute the log shows it in. A held call goes out when approved,
                // and counts then.
                var now = entry.ApprovalId is null ? entry.CreatedAt : time.NowMs();
                foreach (var rule in limits.OrderBy(r => r.Id, StringComparer.Ordinal))
                {
                    var window = WindowMs(rule.RateLimitWindow!);
                    if (!await Windows.TryTakeAsync(Db, $"rule:{rule.Id}:{agentId}", window, rule.RateLimit!.Value, now, c))
                    {
                        entry.RuleId = rule.Id;
                        throw new ApiException(ErrorCodes.RateLimited, $"Over the rule '{rule.Name}': {rule.RateLimit} calls a {rule.RateLimitWindow}.",
                            ApiErrors.Details(("limit", rule.RateLimit), ("window_seconds", window / 1000)), retryAfter: Windows.UntilEnd(window, now));
                    }
                }
                if (!await Windows.TryTakeAsync(Db, $"domain:{workspaceId}:{domain}", Clock.MinuteMs, perDomain, now, c))
                {
                    throw new ApiException(ErrorCodes.OutgoingRateLimited, $"Over {perDomain} calls a minute to {domain}.",
                        ApiErrors.Details(("domain", domain)), retryAfter: Windows.UntilEnd(Clock.MinuteMs, now));
                }
                await quotas.AdmitAsync(workspaceId, Contracts.Governance.Meters.GovernedCalls, 1, c);
                await credits.SpendAsync(workspaceId, prices.MicrosOf(Prices.GovernedCall), entry.Id, c);
            }, ct);
        }
        catch (DbException)
        {
            throw ApiErrors.Unavailable("The gateway could not count this call, so it did not make it.");
        }
    }

    /// <summary>
    /// An allow rule that names this agent and this method (what <c>remember</c> on an approval makes) answers the
    /// question a manual-approval rule would ask again: such a call is not held.
    /// </summary>
    private static bool Remembered(List<GatewayRule> matching, string? agentId, string method) =>
        agentId is not null && matching.Any(r => r.Action == RuleActions.Allow && r.AgentId == agentId && r.Method == method);

    private static long WindowMs(string window) => window switch
    {
        "hour" => Clock.HourMs,
        "day" => Clock.DayMs,
        _ => Clock.MinuteMs,
    };

    private static bool Matches(GatewayRule rule, string? agentId, string method, Uri url) =>
        (rule.AgentId is null || rule.AgentId == agentId) && (rule.Method is null || rule.Method == method)
        && Patterns.HostMatches(rule.HostPattern, url.IdnHost, url.Port) && Patterns.PathMatches(rule.PathPattern, url.AbsolutePath);

    /// <summary>
    /// The request with the vault's values in it. For each header name, query parameter and the path, the most
    /// specific matching entry wins (exact host over wildcard, then the longer path pattern). The caller's own
    /// <c>Authorization</c> goes whenever an entry covers the host: an agent never decides what a vaulted host sees.
    /// </summary>
    public (OutboundRequest Request, List<string> Injected) Inject(OutboundRequest request, IReadOnlyList<VaultEntry> entries)
    {
        var url = request.Url;
        var candidates = entries.Where(e => Patterns.HostMatches(e.HostPattern, url.IdnHost, url.Port) && Patterns.PathMatches(e.PathPattern, url.AbsolutePath))
            .OrderByDescending(e => Patterns.HostSpecificity(e.HostPattern)).ThenByDescending(e => Patterns.PathSpecificity(e.PathPattern)).ThenBy(e => e.Id)
            .ToList();
        var headers = request.Headers.Where(h => !VaultService.HopByHop.Contains(h.Key) && !h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)).ToList();
        if (candidates.Count > 0)
        {
            headers.RemoveAll(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase));
        }
        var injected = new List<string>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var query = new List<string>();
        string? pathPrefix = null;
        foreach (var entry in candidates)
        {
            var injection = VaultService.InjectionOf(entry);
            var target = injection.Kind + ":" + (injection.HeaderName ?? injection.ParamName ?? "path");
            if (!used.Add(target))
            {
                continue;
            }
            var value = vault.Open(entry);
            switch (injection.Kind)
            {
                case "header":
                    headers.RemoveAll(h => h.Key.Equals(injection.HeaderName, StringComparison.OrdinalIgnoreCase));
                    headers.Add(new(injection.HeaderName!, (injection.ValueFormat ?? "{value}").Replace("{value}", value, StringComparison.Ordinal)));
                    break;
                case "query":
                    query.Add(Uri.EscapeDataString(injection.ParamName!) + "=" + Uri.EscapeDataString(value));
                    break;
                default:
                    pathPrefix = injection.Template!.Replace("{value}", value, StringComparison.Ordinal).TrimEnd('/');
                    break;
            }
            injected.Add(entry.Id);
        }
        var builder = new UriBuilder(url);
        if (query.Count > 0)
        {
            var kept = (builder.Query.TrimStart('?')).Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Where(p => !candidates.Any(e => VaultService.InjectionOf(e) is { Kind: "query" } i
                    && Uri.UnescapeDataString(p.Split('=')[0]).Equals(i.ParamName, StringComparison.Ordinal)));
            builder.Query = string.Join('&', kept.Concat(query));
        }
        if (pathPrefix is not null)
        {
            builder.Path = pathPrefix + builder.Path;
        }
        return (request with { Url = builder.Uri, Headers = headers }, injected);
    }

    /// <summary>Sends through the guarded outbound client; the upstream's own status is data, the gateway's failures are catalog errors.</summary>
    private async Task<OutboundResponse> SendAsync(OutboundRequest request, int timeoutMs, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(timeoutMs);
        return await UpstreamAsync(timeoutMs, async () =>
        {
            using var message = Message(request);
            using var response = await outbound.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var body = await ReadCappedAsync(response.Content, timeout.Token);
            return new OutboundResponse((int)response.StatusCode, HeadersOf(response), body);
        }, ct);
    }

    /// <summary>Sends and returns once the answer's headers are in; the body is the caller's to read (and dispose).</summary>
    private Task<HttpResponseMessage> SendStreamingAsync(OutboundRequest request, int timeoutMs, CancellationToken ct) =>
        UpstreamAsync(timeoutMs, async () =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(timeoutMs);
            using var message = Message(request);
            return await outbound.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }, ct);

    public static IReadOnlyList<KeyValuePair<string, string>> HeadersOf(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers).Where(h => !VaultService.HopByHop.Contains(h.Key))
            .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value)))];

    private static HttpRequestMessage Message(OutboundRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method.ToUpperInvariant()), request.Url);
        if (request.Body.Length > 0 || request.Method is "POST" or "PUT" or "PATCH")
        {
            message.Content = new ByteArrayContent(request.Body);
        }
        foreach (var (name, value) in request.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return message;
    }

    /// <summary>The upstream's failures as catalog errors: too slow, unreachable, or a private address after all.</summary>
    private static async Task<T> UpstreamAsync<T>(int timeoutMs, Func<Task<T>> send, CancellationToken ct)
    {
        try
        {
            return await send();
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ApiException(ErrorCodes.UpstreamTimeout, $"The upstream did not answer within {timeoutMs} ms.", ApiErrors.Details(("timeout_ms", timeoutMs)));
        }
        catch (HttpRequestException e) when (e.Message.StartsWith(OutboundHttp.RefusedPrefix, StringComparison.Ordinal))
        {
            throw PrivateAddress();
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(ErrorCodes.UpstreamError, "The upstream could not be reached: " + Reason(e),
                ApiErrors.Details(("upstream_status", null), ("upstream", "http"), ("reason", Reason(e))));
        }
    }

    private async Task<byte[]> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > Options.MaxBodyBytes)
            {
                throw ApiErrors.TooLarge(Options.MaxBodyBytes, $"The upstream's answer is over {Options.MaxBodyBytes} bytes.");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static string Reason(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "name_resolution",
        HttpRequestError.ConnectionError => "connection",
        HttpRequestError.SecureConnectionError => "tls",
        _ => "protocol",
    };

    private static ApiException PrivateAddress() =>
        new(ErrorCodes.PolicyBlocked, "The destination is a private, loopback or link-local address.",
            ApiErrors.Details(("rule_id", null), ("rule_name", null), ("reason", "private_address")));

    /// <summary>The URL without its query (which may carry secrets).</summary>
    public static string Display(Uri url) => url.GetLeftPart(UriPartial.Path);

    /// <summary>The start of the body for an owner deciding an approval (1 KiB of text), with any vault value blanked out.</summary>
    private string? Preview(OutboundRequest request, IReadOnlyList<VaultEntry> entries)
    {
        if (request.Body.Length == 0)
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(request.Body, 0, Math.Min(request.Body.Length, 4096));
        foreach (var entry in entries)
        {
            var value = vault.Open(entry);
            if (value.Length >= 4)
            {
                text = text.Replace(value, "[vault]", StringComparison.Ordinal);
            }
        }
        return text.Length <= 1024 ? text : text[..1024];
    }

    /// <summary>What the gateway would do with a call, without making or counting it (explain).</summary>
    public async Task<ExplainView> ExplainAsync(string workspaceId, string agentName, string method, Uri url, CancellationToken ct)
    {
        var agent = await AgentQueries.ByNameAsync(Db, agentName, ct);
        if (agent is null || agent.Status == AgentStatus.Deleted || agent.OwnerWorkspaceId != workspaceId)
        {
            throw new ApiException(ErrorCodes.AgentNotFound, $"No agent '{agentName}' in this workspace.");
        }
        method = method.ToUpperInvariant();
        var matching = (await Db.GatewayRules.AsNoTracking().Where(r => r.WorkspaceId == workspaceId && r.Enabled).ToListAsync(ct))
            .Where(r => Matches(r, agent.Id, method, url)).OrderBy(r => r.Id).ToList();
        var policy = rules.SettingsView(workspaceId, await Db.GatewaySettings.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspaceId, ct));
        var (_, injected) = Inject(new OutboundRequest(method, url, [], []), await vault.ForAgentAsync(workspaceId, agent.Id, ct));
        var entries = await Db.VaultEntries.AsNoTracking().Where(e => injected.Contains(e.Id)).ToListAsync(ct);
        var explained = injected.Select(id => entries.Single(e => e.Id == id))
            .Select(e => new ExplainedInjection(e.Id, e.Name, VaultService.InjectionOf(e).Kind!)).ToList();
        GatewayRule? Rule(string action) => matching.FirstOrDefault(r => r.Action == action);
        if (outbound.IsRefusedLiteral(url))
        {
            return new ExplainView(RuleActions.Block, null, "private_address", explained, false);
        }
        if (Rule(RuleActions.Block) is { } block)
        {
            return new ExplainView(RuleActions.Block, RuleService.View(block), null, explained, false);
        }
        if (Rule(RuleActions.ManualApproval) is { } hold && !Remembered(matching, agent.Id, method))
        {
            return new ExplainView(RuleActions.ManualApproval, RuleService.View(hold), null, explained, true);
        }
        if (Rule(RuleActions.RateLimit) is { } limit)
        {
            return new ExplainView(RuleActions.RateLimit, RuleService.View(limit), null, explained, true);
        }
        if (policy.PolicyMode == "deny" && Rule(RuleActions.Allow) is null)
        {
            return new ExplainView(RuleActions.Block, null, "default_policy", explained, false);
        }
        var allow = Rule(RuleActions.Allow);
        return new ExplainView(RuleActions.Allow, allow is null ? null : RuleService.View(allow), allow is null ? "default_policy" : null, explained, true);
    }
}
