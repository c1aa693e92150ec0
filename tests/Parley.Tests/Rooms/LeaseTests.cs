using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Rooms;

/// <summary>Leases on the manual clock: claims, renewals, grace, lapses (on read and by the sweep), pauses, stops.</summary>
public sealed class LeaseTests(RoomsServer server) : IClassFixture<RoomsServer>
{
    private HttpClient Http => server.Http;

    private static DateTimeOffset Time(JsonElement element, string name) => element.GetProperty(name).GetDateTimeOffset();

    private Task<HttpResponseMessage> RenewAsync(TestAgent agent, string taskId, string token) =>
        Http.PostAsync($"/v1/tasks/{taskId}/renew", new { claim_token = token }, agent.ApiKey);

    [Fact]
    public async Task AClaimIsALeaseThatItsHolderRenewsAndReleases()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);
        var now = server.Clock.GetUtcNow();
        var claim = await (await server.ClaimAsync(setup.A, task.Id())).OkAsync();
        var token = claim.GetProperty("claim_token").GetString()!;
        Assert.Matches("^prl_claim_[0-9a-f]{32}$", token);
        Assert.Equal(1, claim.GetProperty("generation").GetInt64());
        Assert.Equal(now.AddSeconds(1800), Time(claim, "expires_at"));
        Assert.Equal(now.AddSeconds(1800 + 180), Time(claim, "grace_until"));
        var held = claim.GetProperty("task");
        Assert.Equal("doing", held.GetProperty("status").GetString());
        Assert.Equal(("default", setup.A.Id), (held.GetProperty("claim").GetProperty("instance_id").GetString(),
            held.GetProperty("claim").GetProperty("holder").GetProperty("id").GetString()));

        // Another agent, or another instance of the same agent: already claimed.
        var byOther = await (await server.ClaimAsync(setup.B, task.Id())).ErrorAsync(ErrorCodes.TaskAlreadyClaimed);
        Assert.Equal(setup.A.Id, byOther.GetProperty("details").GetProperty("claimed_by").GetProperty("id").GetString());
        Assert.Equal(now.AddSeconds(1800), byOther.GetProperty("details").GetProperty("expires_at").GetDateTimeOffset());
        await (await server.ClaimAsync(setup.A, task.Id(), instanceId: "worker-2")).ErrorAsync(ErrorCodes.TaskAlreadyClaimed);

        // The same holder claiming again gets a new token and generation; the old token is stale.
        var again = await (await server.ClaimAsync(setup.A, task.Id())).OkAsync();
        Assert.Equal(2, again.GetProperty("generation").GetInt64());
        var fresh = again.GetProperty("claim_token").GetString()!;
        Assert.NotEqual(token, fresh);
        var stale = await (await RenewAsync(setup.A, task.Id(), token)).ErrorAsync(ErrorCodes.ClaimStale);
        Assert.Equal(setup.A.Id, stale.GetProperty("details").GetProperty("current_holder").GetProperty("id").GetString());
        Assert.Equal(2, stale.GetProperty("details").GetProperty("generation").GetInt64());

        server.Clock.Advance(TimeSpan.FromSeconds(600));
        var renewed = await (await RenewAsync(setup.A, task.Id(), fresh)).OkAsync();
        Assert.Equal(server.Clock.GetUtcNow().AddSeconds(1800), Time(renewed, "expires_at"));
        Assert.Equal(server.Clock.GetUtcNow().AddSeconds(1980), Time(renewed, "grace_until"));
        Assert.Equal(2, renewed.GetProperty("generation").GetInt64());

        var released = await (await Http.PostAsync($"/v1/tasks/{task.Id()}/release", new { claim_token = fresh }, setup.A.ApiKey)).OkAsync();
        Assert.Equal(("todo", JsonValueKind.Null), (released.GetProperty("status").GetString(), released.GetProperty("claim").ValueKind));
        Assert.Equal(3, released.GetProperty("generation").GetInt64());
        var afterRelease = await (await RenewAsync(setup.A, task.Id(), fresh)).ErrorAsync(ErrorCodes.ClaimStale);
        Assert.Equal(JsonValueKind.Null, afterRelease.GetProperty("details").GetProperty("current_holder").ValueKind);
        await (await Http.PostAsync($"/v1/tasks/{task.Id()}/release", new { claim_token = fresh }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ClaimStale);
        await (await RenewAsync(setup.A, task.Id(), "")).ErrorAsync(ErrorCodes.ValidationError);

        // The next claim wins, by another instance of the same agent too.
        var next = await (await server.ClaimAsync(setup.A, task.Id(), instanceId: "worker-2")).OkAsync();
        Assert.Equal("worker-2", next.GetProperty("task").GetProperty("claim").GetProperty("instance_id").GetString());
        Assert.Equal(["created", "claimed", "claimed", "stale_rejected", "renewed", "released", "stale_rejected", "stale_rejected", "claimed"],
            await server.TaskEventTypesAsync(setup.Owner.AccessToken, task.Id()));
    }

    [Fact]
    public async Task AStaleTokenIsLoggedEvenWhenTheRequestCarriesAnIdempotencyKey()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);
        var old = await server.ClaimOkAsync(setup.A, task.Id());
        await server.ClaimOkAsync(setup.A, task.Id());
        var key = Infrastructure.Http.NewIdempotencyKey();
        var first = await Http.PostAsync($"/v1/tasks/{task.Id()}/renew", new { claim_token = old }, setup.A.ApiKey, idempotencyKey: key);
        await first.ErrorAsync(ErrorCodes.ClaimStale);
        var replay = await Http.PostAsync($"/v1/tasks/{task.Id()}/renew", new { claim_token = old }, setup.A.ApiKey, idempotencyKey: key);
        Assert.Equal((System.Net.HttpStatusCode.Conflict, ErrorCodes.ClaimStale), (replay.StatusCode, replay.Headers.GetValues("X-Error-Code").Single()));
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replay").Single());
        // The rejected attempt is in the log once: the error answer did not roll it back, and the replay did not repeat it.
        Assert.Equal(["created", "claimed", "claimed", "stale_rejected"], await server.TaskEventTypesAsync(setup.Owner.AccessToken, task.Id()));
    }

    [Fact]
    public async Task TtlIsBoundedAndGraceIsATenthOfItAtLeastTwoMinutes()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);
        await (await server.ClaimAsync(setup.A, task.Id(), ttlSeconds: 299)).ErrorAsync(ErrorCodes.ValidationError);
        await (await server.ClaimAsync(setup.A, task.Id(), ttlSeconds: 7201)).ErrorAsync(ErrorCodes.ValidationError);
        await (await server.ClaimAsync(setup.A, task.Id(), instanceId: new string('i', 129))).ErrorAsync(ErrorCodes.ValidationError);
        var shortest = await (await server.ClaimAsync(setup.A, task.Id(), ttlSeconds: 300)).OkAsync();
        Assert.Equal(TimeSpan.FromSeconds(120), Time(shortest, "grace_until") - Time(shortest, "expires_at"));
        var longest = await (await server.ClaimAsync(setup.A, task.Id(), ttlSeconds: 7200)).OkAsync();
        Assert.Equal(TimeSpan.FromSeconds(720), Time(longest, "grace_until") - Time(longest, "expires_at"));
        Assert.Equal(TimeSpan.FromSeconds(7200), Time(longest, "expires_at") - server.Clock.GetUtcNow());
    }

    [Fact]
    public async Task ALeaseInItsGraceIsStillLiveAndLapsesAfterItWhenTheTaskIsRead()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);
        var token = await server.ClaimOkAsync(setup.A, task.Id(), ttlSeconds: 300);
        // Past the expiry, within the grace period: still the holder's, and renewable.
        server.Clock.Advance(TimeSpan.FromSeconds(301));
        await (await server.ClaimAsync(setup.B, task.Id())).ErrorAsync(ErrorCodes.TaskAlreadyClaimed);
        await (await RenewAsync(setup.A, task.Id(), token)).OkAsync();

        server.Clock.Advance(TimeSpan.FromSeconds(300 + 120));
        Assert.Equal("doing", (await server.GetTaskAsync(setup.Owner.AccessToken, task.Id())).GetProperty("status").GetString());
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        var lapsed = await server.GetTaskAsync(setup.Owner.AccessToken, task.Id());
        Assert.Equal(("todo", JsonValueKind.Null), (lapsed.GetProperty("status").GetString(), lapsed.GetProperty("claim").ValueKind));
        Assert.Equal(2, lapsed.GetProperty("generation").GetInt64());
        var stale = await (await RenewAsync(setup.A, task.Id(), token)).ErrorAsync(ErrorCodes.ClaimStale);
        Assert.Equal(2, stale.GetProperty("details").GetProperty("generation").GetInt64());
        var taken = await (await server.ClaimAsync(setup.B, task.Id())).OkAsync();
        Assert.Equal(3, taken.GetProperty("generation").GetInt64());
        var log = (await (await Http.GetAsync($"/v1/tasks/{task.Id()}/events", setup.B.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["created", "claimed", "renewed", "lapsed", "stale_rejected", "claimed"], log.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(JsonValueKind.Null, log[3].GetProperty("actor").ValueKind);
        Assert.Equal(setup.A.Id, log[3].GetProperty("details").GetProperty("holder").GetString());
    }

    [Fact]
    public async Task TheBackgroundSweepAppliesLapsesThatNoReadApplied()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);
        await server.ClaimOkAsync(setup.A, task.Id(), ttlSeconds: 300);
        await using var socket = await TestSocket.OpenAsync(server.BaseAddress, setup.B.ApiKey);
        server.Clock.Advance(TimeSpan.FromSeconds(421));
        // No read of the task happens: whichever run of the sweep gets there (this one or the scheduler's) lapses it.
        await (await Http.PostAsync("/_test/jobs/room-lease-sweep", null)).OkAsync();
        var payload = await socket.ExpectTaskChangeAsync("lapsed");
        Assert.Equal(task.Id(), payload.GetProperty("task_id").GetString());
        Assert.Equal("todo", payload.GetProperty("task").GetProperty("status").GetString());
    }

    [Fact]
    public async Task PausingStopsLeaseClocksAndResumingMovesThemForwardByThePause()
    {
        var setup = await server.RoomWithAgentsAsync();
        var owner = await server.PersonalTokenAsync(setup.Owner);
        var task = await server.CreateTaskAsync(owner, setup.RoomId);
        var claim = await (await server.ClaimAsync(setup.A, task.Id(), ttlSeconds: 300)).OkAsync();
        var token = claim.GetProperty("claim_token").GetString()!;
        var (expires, grace) = (Time(claim, "expires_at"), Time(claim, "grace_until"));

        server.Clock.Advance(TimeSpan.FromSeconds(100));
        await (await server.SetRoomStatusAsync(owner, setup.RoomId, "paused")).OkAsync();
        await (await RenewAsync(setup.A, task.Id(), token)).ErrorAsync(ErrorCodes.ThreadNotActive);
        // Long past the lease's grace: a paused room's leases do not lapse, neither on read nor by the sweep.
        server.Clock.Advance(TimeSpan.FromSeconds(1000));
        await (await Http.PostAsync("/_test/jobs/room-lease-sweep", null)).OkAsync();
        var during = await server.GetTaskAsync(owner, task.Id());
        Assert.Equal("doing", during.GetProperty("status").GetString());

        await (await server.SetRoomStatusAsync(owner, setup.RoomId, "active")).OkAsync();
        var resumed = await server.GetTaskAsync(owner, task.Id());
        Assert.Equal(expires.AddSeconds(1000), Time(resumed.GetProperty("claim"), "expires_at"));
        Assert.Equal(grace.AddSeconds(1000), Time(resumed.GetProperty("claim"), "grace_until"));
        // 200 s of lease were left at the pause, plus the grace: 319 s later the lease still lives.
        server.Clock.Advance(TimeSpan.FromSeconds(319));
        await (await RenewAsync(setup.A, task.Id(), token)).OkAsync();
    }

    [Fact]
    public async Task AResumedLeaseLapsesOnTheMovedClock()
    {
        var setup = await server.RoomWithAgentsAsync();
        var owner = await server.PersonalTokenAsync(setup.Owner);
        var task = await server.CreateTaskAsync(owner, setup.RoomId);
        await server.ClaimOkAsync(setup.A, task.Id(), ttlSeconds: 300);
        await (await server.SetRoomStatusAsync(owner, setup.RoomId, "paused")).OkAsync();
        server.Clock.Advance(TimeSpan.FromHours(5));
        await (await server.SetRoomStatusAsync(owner, setup.RoomId, "active")).OkAsync();
        server.Clock.Advance(TimeSpan.FromSeconds(420));
        Assert.Equal("doing", (await server.GetTaskAsync(owner, task.Id())).GetProperty("status").GetString());
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("todo", (await server.GetTaskAsync(owner, task.Id())).GetProperty("status").GetString());
    }

    [Fact]
    public async Task StoppingOrArchivingARoomEndsEveryLease()
    {
        foreach (var status in new[] { "stopped", "archived" })
        {
            var setup = await server.RoomWithAgentsAsync();
            var one = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);
            var two = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);
            var token = await server.ClaimOkAsync(setup.A, one.Id());
            await server.ClaimOkAsync(setup.B, two.Id());
            await (await server.SetRoomStatusAsync(setup.Owner.AccessToken, setup.RoomId, status)).OkAsync();
            foreach (var task in new[] { one, two })
            {
                var now = await server.GetTaskAsync(setup.Owner.AccessToken, task.Id());
                Assert.Equal(("todo", JsonValueKind.Null), (now.GetProperty("status").GetString(), now.GetProperty("claim").ValueKind));
                var log = (await (await Http.GetAsync($"/v1/tasks/{task.Id()}/events", setup.Owner.AccessToken)).OkAsync()).GetProperty("data");
                Assert.Equal("room_" + status, log[log.GetArrayLength() - 1].GetProperty("details").GetProperty("reason").GetString());
            }
            await (await RenewAsync(setup.A, one.Id(), token)).ErrorAsync(ErrorCodes.ThreadNotActive);
            await (await server.SetRoomStatusAsync(setup.Owner.AccessToken, setup.RoomId, "active")).OkAsync();
            await (await RenewAsync(setup.A, one.Id(), token)).ErrorAsync(ErrorCodes.ClaimStale);
            await server.ClaimOkAsync(setup.B, one.Id());
        }
    }
}
