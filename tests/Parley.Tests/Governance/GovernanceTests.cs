using System.Net;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Governance;

/// <summary>
/// Plans for the governance tests: <c>metered</c> (5 messages, 50 governed calls a month), <c>credited</c> (10 credits a
/// month); a governed call costs 1 credit. New workspaces stay on the default <c>self-hosted</c> plan.
/// </summary>
public class GovernanceServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Plans:metered:MonthlyMessages"] = "5";
        settings["Plans:metered:MonthlyGovernedCalls"] = "50";
        settings["Plans:metered:Features"] = "gateway_proxy";
        settings["Plans:credited:MonthlyCredits"] = "10";
        settings["Governance:Prices:governed_call"] = "1";
        settings["Governance:Prices:run_minute"] = "0.25";
        settings["Limits:Rates:room-write:Limit"] = "100000";
        settings["Limits:Rates:agent-send:Limit"] = "100000";
    }
}

/// <summary>Plans, meters, quotas and credits through HTTP, with the concurrency the spec demands, on the provider under test.</summary>
public sealed class GovernanceTests(GovernanceServer server) : IClassFixture<GovernanceServer>
{
    private HttpClient Http => server.Http;

    private async Task PutPlanAsync(string workspaceId, string plan) =>
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{workspaceId}/plan", new { plan }, await server.AdminTokenAsync())).OkAsync();

    private async Task GrantAsync(string workspaceId, decimal amount, DateTimeOffset? expiresAt = null) =>
        await (await Http.PostAsync($"/v1/admin/workspaces/{workspaceId}/credits", new { amount, reason = "test grant", expires_at = expiresAt },
            await server.AdminTokenAsync())).OkAsync(HttpStatusCode.Created);

    private Task<HttpResponseMessage> AdmitAsync(string workspaceId, string meter = "governed_calls", string? fail = null, HttpClient? client = null) =>
        (client ?? Http).PostAsync("/_test/governance/admit", new { workspace_id = workspaceId, meter, fail });

    private Task<HttpResponseMessage> SpendAsync(string workspaceId, string? fail = null, HttpClient? client = null) =>
        (client ?? Http).PostAsync("/_test/governance/spend", new { workspace_id = workspaceId, fail });

    private async Task<JsonElement> MeterAsync(Owner owner, string meter)
    {
        var usage = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage", owner.AccessToken)).OkAsync();
        return usage.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == meter);
    }

    private async Task<decimal> BalanceAsync(Owner owner) =>
        (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/credits", owner.AccessToken)).OkAsync()).GetProperty("balance").GetDecimal();

    private async Task<List<JsonElement>> LedgerAsync(Owner owner) =>
        [.. (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/credits/ledger?limit=200", owner.AccessToken)).OkAsync())
            .GetProperty("data").EnumerateArray()];

    [Fact]
    public async Task EveryPlanIsListedWithEveryLimitAndItsFeatures()
    {
        var owner = await server.SignupAsync();
        var plans = (await (await Http.GetAsync("/v1/plans", owner.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray().ToList();
        // Configured plans follow the built-in ones, by name.
        Assert.Equal(["free", "pro", "team", "self-hosted", "credited", "metered"], plans.Select(p => p.GetProperty("name").GetString()));
        var free = plans[0].GetProperty("limits");
        Assert.Equal(1_000, free.GetProperty("monthly_governed_calls").GetInt64());
        Assert.Equal(3, free.GetProperty("max_agents").GetInt32());
        foreach (var key in new[] { "max_rooms", "max_vault_entries", "max_sites", "max_devices", "monthly_runs", "monthly_model_tokens" })
        {
            Assert.Equal(JsonValueKind.Number, free.GetProperty(key).ValueKind);
        }
        Assert.Equal(JsonValueKind.Null, free.GetProperty("monthly_credits").ValueKind);
        var selfHosted = plans[3];
        Assert.All(selfHosted.GetProperty("limits").EnumerateObject(), limit => Assert.Equal(JsonValueKind.Null, limit.Value.ValueKind));
        Assert.Contains("cross_owner_rooms", selfHosted.GetProperty("features").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["gateway_proxy"], plans[5].GetProperty("features").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(10m, plans[4].GetProperty("limits").GetProperty("monthly_credits").GetDecimal());
        // Agents cannot read plans; the route is for owners.
        var agent = await server.CreateAgentAsync(owner);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.GetAsync("/v1/plans", agent.ApiKey)).StatusCode);
    }

    [Fact]
    public async Task AnAdminsPlanChangeTakesEffectAtOnceAndWhatExceedsTheNewCapsStays()
    {
        var owner = await server.SignupAsync();
        for (var i = 0; i < 4; i++)
        {
            await server.CreateAgentAsync(owner);
        }
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{owner.WorkspaceId}/plan", new { plan = "free" }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.AdminRequired);
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{owner.WorkspaceId}/plan", new { plan = "platinum" }, await server.AdminTokenAsync()))
            .ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Put, "/v1/admin/workspaces/ws_00000000000000000000000000/plan", new { plan = "free" }, await server.AdminTokenAsync()))
            .ErrorAsync(ErrorCodes.WorkspaceNotFound);

        var changed = await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{owner.WorkspaceId}/plan", new { plan = "free" },
            await server.AdminTokenAsync())).OkAsync();
        Assert.Equal("free", changed.GetProperty("plan").GetProperty("name").GetString());
        var view = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/plan", owner.AccessToken)).OkAsync();
        Assert.Equal(3, view.GetProperty("plan").GetProperty("limits").GetProperty("max_agents").GetInt32());
        Assert.Equal(4, view.GetProperty("usage").GetProperty("agents").GetInt64());
        Assert.Equal("free", (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}", owner.AccessToken)).OkAsync()).GetProperty("plan").GetString());

        // The four agents stay; a fifth is refused.
        var refused = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents", new { handle = Actors.NewHandle() }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.FeatureLimitReached);
        Assert.Equal(4, refused.GetProperty("details").GetProperty("count").GetInt64());

        // The free plan lacks cross-owner rooms: inviting another owner's agent needs an upgrade.
        var stranger = await server.CreateAgentAsync(await server.SignupAsync());
        var roomId = await server.CreateRoomAsync(owner.AccessToken);
        var upgrade = await (await Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "agent_plate", target = stranger.Plate }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.UpgradeRequired);
        Assert.Equal("pro", upgrade.GetProperty("details").GetProperty("required_plan").GetString());
    }

    [Fact]
    public async Task WhatAnotherOwnersWorkspaceUsesIsNotFound()
    {
        var owner = await server.SignupAsync();
        var other = await server.SignupAsync();
        foreach (var path in new[] { "plan", "usage", "usage/daily?meter=messages", "credits", "credits/ledger" })
        {
            await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/{path}", other.AccessToken)).ErrorAsync(ErrorCodes.WorkspaceNotFound);
        }
    }

    [Fact]
    public async Task DirectGroupAndRoomMessagesCountAndTheQuotaRefusesTheOneTooManyStoringNothing()
    {
        var (owner, a, b) = await server.TwoAgentsAsync();
        await PutPlanAsync(owner.WorkspaceId, "metered");
        var roomId = await server.CreateRoomAsync(owner.AccessToken);
        await server.AddMemberAsync(owner.AccessToken, roomId, a.Id);

        var conversation = (await server.SendOkAsync(a, b.Handle)).GetProperty("conversation_id").GetString();
        await server.SendOkAsync(b, a.Handle);
        var group = await (await Http.PostAsync("/v1/groups", new { name = "crew", member_handles = new[] { b.Handle } }, a.ApiKey)).OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync("/v1/messages", new { conversation_id = group.GetProperty("group").GetProperty("id").GetString(),
            client_msg_id = "g1", content = new { text = "to the group" } }, a.ApiKey)).OkAsync(HttpStatusCode.Created);
        Assert.DoesNotContain(server.Outbox(), m => m.GetProperty("to").GetString() == owner.Email && m.GetProperty("subject").GetString()!.Contains("quota"));
        await (await Http.PostAsync($"/v1/rooms/{roomId}/messages", new { body = "from the agent" }, a.ApiKey)).OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync($"/v1/rooms/{roomId}/messages", new { body = "from the owner" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);

        var refused = await server.SendTextAsync(a, b.Handle, "one too many");
        var error = await refused.ErrorAsync(ErrorCodes.QuotaExceeded);
        var details = error.GetProperty("details");
        Assert.Equal(5, details.GetProperty("count").GetInt64());
        Assert.Equal(5, details.GetProperty("limit").GetInt64());
        var resetsAt = details.GetProperty("resets_at").GetDateTimeOffset();
        var now = server.Clock.GetUtcNow();
        Assert.Equal(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1), resetsAt);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, (int)(resetsAt - now).TotalSeconds, (int)(resetsAt - now).TotalSeconds + 1);
        await (await Http.PostAsync($"/v1/rooms/{roomId}/messages", new { body = "also too many" }, owner.AccessToken)).ErrorAsync(ErrorCodes.QuotaExceeded);

        // Nothing of the refused sends was stored.
        var history = await (await Http.GetAsync($"/v1/messages/{conversation}", a.ApiKey)).OkAsync();
        Assert.Equal(2, history.GetProperty("data").GetArrayLength());
        var thread = await (await Http.GetAsync($"/v1/rooms/{roomId}/messages", owner.AccessToken)).OkAsync();
        Assert.Equal(2, thread.GetProperty("data").GetArrayLength());

        var meter = await MeterAsync(owner, "messages");
        Assert.Equal(5, meter.GetProperty("count").GetInt64());
        Assert.Equal(5, meter.GetProperty("limit").GetInt64());
        var daily = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage/daily?meter=messages&days=3", owner.AccessToken)).OkAsync();
        var days = daily.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(3, days.Count);
        Assert.Equal(now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), days[2].GetProperty("date").GetString());
        Assert.Equal([0L, 0L, 5L], days.Select(d => d.GetProperty("count").GetInt64()));

        // 80 % (the 4th message) and 100 % (the 5th) mailed the owner once each, and are recorded for the event stream.
        var mails = server.Outbox().Where(m => m.GetProperty("to").GetString() == owner.Email && m.GetProperty("subject").GetString()!.Contains("quota"))
            .Select(m => m.GetProperty("subject").GetString()).ToList();
        Assert.Equal(2, mails.Count);
        Assert.Contains("80%", mails[0]);
        Assert.Contains("100%", mails[1]);
    }

    [Fact]
    public async Task AMeterWithoutAQuotaStillCountsEveryMessageSentConcurrently()
    {
        var owner = await server.SignupAsync();
        var agents = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => server.CreateAgentAsync(owner)));
        var peer = await server.CreateAgentAsync(owner);
        // 40 first messages, from 8 senders to one peer at once: their counts land on several shards of the meter.
        var sends = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Http.PostAsync("/v1/messages",
            new { to = peer.Handle, client_msg_id = $"m{i}", content = new { text = "hello" } }, agents[i % 8].ApiKey)));
        Assert.Equal(8, sends.Count(r => r.StatusCode == HttpStatusCode.Created));
        var meter = await MeterAsync(owner, "messages");
        Assert.Equal(8, meter.GetProperty("count").GetInt64());
        Assert.Equal(JsonValueKind.Null, meter.GetProperty("limit").ValueKind);
        for (var i = 0; i < 8; i++)
        {
            await server.SendOkAsync(peer, agents[i].Handle);
        }
        await Task.WhenAll(agents.Select(a => server.SendOkAsync(a, peer.Handle)));
        Assert.Equal(24, (await MeterAsync(owner, "messages")).GetProperty("count").GetInt64());
        var daily = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage/daily?meter=messages&days=1", owner.AccessToken)).OkAsync();
        Assert.Equal(24, daily.GetProperty("data")[0].GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task DailyUsageRefusesAnUnknownMeterAndTooManyDays()
    {
        var owner = await server.SignupAsync();
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage/daily?meter=storage_bytes", owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage/daily", owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage/daily?meter=runs&days=400", owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        var thirty = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage/daily?meter=runs", owner.AccessToken)).OkAsync();
        Assert.Equal(30, thirty.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task TwoHundredConcurrentAdmissionsAgainstAQuotaOfFiftyAdmitExactlyFifty()
    {
        var owner = await server.SignupAsync();
        await PutPlanAsync(owner.WorkspaceId, "metered");
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => AdmitAsync(owner.WorkspaceId)));
        Assert.Equal(50, answers.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in answers.Where(r => r.StatusCode != HttpStatusCode.OK).Take(3))
        {
            await refused.ErrorAsync(ErrorCodes.QuotaExceeded);
        }
        Assert.All(answers.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.Equal(50, (await MeterAsync(owner, "governed_calls")).GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task AnActionThatFailsAfterItsAdmissionGivesTheUnitBack()
    {
        var owner = await server.SignupAsync();
        await PutPlanAsync(owner.WorkspaceId, "metered");
        await (await AdmitAsync(owner.WorkspaceId)).OkAsync();
        await (await AdmitAsync(owner.WorkspaceId, fail: "inside")).ErrorAsync(ErrorCodes.InternalError);
        await (await AdmitAsync(owner.WorkspaceId, fail: "after-commit")).ErrorAsync(ErrorCodes.InternalError);
        Assert.Equal(1, (await MeterAsync(owner, "governed_calls")).GetProperty("count").GetInt64());
        var daily = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/usage/daily?meter=governed_calls&days=1", owner.AccessToken)).OkAsync();
        Assert.Equal(1, daily.GetProperty("data")[0].GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task FortyConcurrentSpendersOfFiveCreditsSpendExactlyFiveAndTheLedgerSumsToTheBalance()
    {
        var owner = await server.SignupAsync();
        await GrantAsync(owner.WorkspaceId, 5);
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => SpendAsync(owner.WorkspaceId)));
        Assert.Equal(5, answers.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = await answers.First(r => r.StatusCode != HttpStatusCode.OK).ErrorAsync(ErrorCodes.NoCredits);
        Assert.Equal(0m, refused.GetProperty("details").GetProperty("balance").GetDecimal());
        Assert.Equal(1m, refused.GetProperty("details").GetProperty("required").GetDecimal());
        Assert.All(answers.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.PaymentRequired, r.StatusCode));

        Assert.Equal(0m, await BalanceAsync(owner));
        var ledger = await LedgerAsync(owner);
        Assert.Equal(6, ledger.Count);
        Assert.Equal(0m, ledger.Sum(e => e.GetProperty("delta").GetDecimal()));
        Assert.All(ledger, e => Assert.True(e.GetProperty("balance_after").GetDecimal() >= 0));
        Assert.Equal(0m, ledger[0].GetProperty("balance_after").GetDecimal());
        Assert.Equal(5, ledger.Count(e => e.GetProperty("source").GetString() == "usage"));
    }

    [Fact]
    public async Task SpendingTakesTheSoonestExpiringCreditsFirstAndExpiredCreditsLeaveTheBalance()
    {
        var owner = await server.SignupAsync();
        // Within the owner's 15-minute access token.
        var soon = server.Clock.GetUtcNow().AddMinutes(10);
        await GrantAsync(owner.WorkspaceId, 3);
        await GrantAsync(owner.WorkspaceId, 2, soon);
        await (await SpendAsync(owner.WorkspaceId)).OkAsync();

        var balance = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/credits", owner.AccessToken)).OkAsync();
        Assert.Equal(4m, balance.GetProperty("balance").GetDecimal());
        var sources = balance.GetProperty("by_source").EnumerateArray().ToList();
        Assert.Equal(2, sources.Count);
        Assert.Equal(1m, sources[0].GetProperty("amount").GetDecimal());
        Assert.Equal(soon.ToUnixTimeMilliseconds(), sources[0].GetProperty("expires_at").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(3m, sources[1].GetProperty("amount").GetDecimal());
        Assert.Equal(JsonValueKind.Null, sources[1].GetProperty("expires_at").ValueKind);

        server.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(3m, await BalanceAsync(owner));
        await (await SpendAsync(owner.WorkspaceId)).OkAsync();
        var ledger = await LedgerAsync(owner);
        var expired = ledger.Single(e => e.GetProperty("reason").ValueKind == JsonValueKind.String && e.GetProperty("reason").GetString() == "expired");
        Assert.Equal("adjustment", expired.GetProperty("source").GetString());
        Assert.Equal(-1m, expired.GetProperty("delta").GetDecimal());
        Assert.Equal(2m, await BalanceAsync(owner));
        Assert.Equal(2m, ledger.Sum(e => e.GetProperty("delta").GetDecimal()));
        Assert.Equal(2m, ledger[0].GetProperty("balance_after").GetDecimal());
    }

    [Fact]
    public async Task AReservationSettlesAtWhatWasUsedAndAFailedSpendIsRefunded()
    {
        var owner = await server.SignupAsync();
        await GrantAsync(owner.WorkspaceId, 10);
        var reserved = await (await Http.PostAsync("/_test/governance/reserve", new { workspace_id = owner.WorkspaceId, amount = 4m })).OkAsync();
        var ledgerId = reserved.GetProperty("ledger_id").GetString();
        Assert.Equal(6m, await BalanceAsync(owner));
        var refund = await (await Http.PostAsync("/_test/governance/settle", new { ledger_id = ledgerId, actual = 1.5m })).OkAsync();
        Assert.NotNull(refund.GetProperty("ledger_id").GetString());
        Assert.Equal(8.5m, await BalanceAsync(owner));
        // Settling twice changes nothing.
        await (await Http.PostAsync("/_test/governance/settle", new { ledger_id = ledgerId, actual = 0m })).OkAsync();
        Assert.Equal(8.5m, await BalanceAsync(owner));

        // Too big a reservation is refused whole; an action failing inside or after its commit leaves the balance as it was.
        await (await Http.PostAsync("/_test/governance/reserve", new { workspace_id = owner.WorkspaceId, amount = 9m })).ErrorAsync(ErrorCodes.NoCredits);
        await (await SpendAsync(owner.WorkspaceId, fail: "inside")).ErrorAsync(ErrorCodes.InternalError);
        await (await SpendAsync(owner.WorkspaceId, fail: "after-commit")).ErrorAsync(ErrorCodes.InternalError);
        Assert.Equal(8.5m, await BalanceAsync(owner));
        var ledger = await LedgerAsync(owner);
        Assert.Equal(["refund", "usage", "refund", "usage", "grant"], ledger.Select(e => e.GetProperty("source").GetString()));
        Assert.Equal(ledgerId, ledger[2].GetProperty("ref").GetString());
        Assert.Equal(8.5m, ledger.Sum(e => e.GetProperty("delta").GetDecimal()));
    }

    [Fact]
    public async Task AdminAdjustmentsNeverTakeTheBalanceBelowZeroAndGrantsAreValidated()
    {
        var owner = await server.SignupAsync();
        var admin = await server.AdminTokenAsync();
        var path = $"/v1/admin/workspaces/{owner.WorkspaceId}/credits";
        await GrantAsync(owner.WorkspaceId, 2.5m);
        await (await Http.PostAsync(path, new { amount = -3, reason = "too much" }, admin)).ErrorAsync(ErrorCodes.ValidationError);
        var adjusted = await (await Http.PostAsync(path, new { amount = -1, reason = "goodwill reversed" }, admin)).OkAsync(HttpStatusCode.Created);
        Assert.Equal("adjustment", adjusted.GetProperty("source").GetString());
        Assert.Equal(1.5m, adjusted.GetProperty("balance_after").GetDecimal());
        foreach (var bad in new object[]
        {
            new { amount = 0, reason = "nothing" }, new { amount = 1.0000001m, reason = "too fine" }, new { amount = 1 },
            new { amount = 1, reason = "past", expires_at = server.Clock.GetUtcNow().AddSeconds(-1) },
            new { amount = -1, reason = "expiring debit", expires_at = server.Clock.GetUtcNow().AddDays(1) },
        })
        {
            await (await Http.PostAsync(path, bad, admin)).ErrorAsync(ErrorCodes.ValidationError);
        }
        await (await Http.PostAsync(path, new { amount = 1, reason = "x" }, owner.AccessToken)).ErrorAsync(ErrorCodes.AdminRequired);
        await (await Http.PostAsync("/v1/admin/workspaces/ws_00000000000000000000000000/credits", new { amount = 1, reason = "x" }, admin))
            .ErrorAsync(ErrorCodes.WorkspaceNotFound);
        Assert.Equal(1.5m, await BalanceAsync(owner));
    }

    [Fact]
    public async Task APlanWithMonthlyCreditsCreditsThisMonthsAtOnceAndOnlyOnce()
    {
        var owner = await server.SignupAsync();
        await PutPlanAsync(owner.WorkspaceId, "credited");
        await PutPlanAsync(owner.WorkspaceId, "credited");
        await (await Http.PostAsync("/_test/jobs/monthly-credits", null)).OkAsync();
        var balance = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/credits", owner.AccessToken)).OkAsync();
        Assert.Equal(10m, balance.GetProperty("balance").GetDecimal());
        var monthly = balance.GetProperty("by_source").EnumerateArray().Single();
        Assert.Equal("monthly", monthly.GetProperty("source").GetString());
        var now = server.Clock.GetUtcNow();
        Assert.Equal(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1), monthly.GetProperty("expires_at").GetDateTimeOffset());
        var plan = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/plan", owner.AccessToken)).OkAsync();
        Assert.Equal(10m, plan.GetProperty("usage").GetProperty("credits_balance").GetDecimal());
    }
}
