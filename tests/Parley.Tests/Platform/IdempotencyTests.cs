using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

/// <summary>
/// Idempotency-Key through a real write (creating a file record): the action runs once, replays are marked, other
/// bodies conflict, a running key answers 409, a lapsed lock is taken over, and a crash after commit replays.
/// </summary>
public sealed class IdempotencyTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    private static object FileBody(string owner, string? hold = null) =>
        new { quota_owner = owner, size_bytes = 10, sha256 = new string('a', 64), hold };

    private async Task<int> CountAsync(string owner) =>
        (await (await Http.GetAsync($"/_test/files?quota_owner={owner}")).OkAsync()).GetProperty("count").GetInt32();

    [Fact]
    public async Task RepeatReplaysTheStoredResponseMarkedAsReplay()
    {
        var owner = "ws:" + Guid.NewGuid().ToString("N");
        var key = Infrastructure.Http.NewIdempotencyKey();
        var first = await Http.PostAsync("/_test/files", FileBody(owner), idempotencyKey: key);
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains("Idempotent-Replay"));

        var second = await Http.PostAsync("/_test/files", FileBody(owner), idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replay").Single());
        Assert.Equal(firstBody, await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.NotEqual(first.Headers.GetValues("X-Request-Id").Single(), second.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal(1, await CountAsync(owner));
    }

    [Fact]
    public async Task SameKeyWithAnotherBodyConflicts()
    {
        var key = Infrastructure.Http.NewIdempotencyKey();
        await (await Http.PostAsync("/_test/files", FileBody("ws:a1"), idempotencyKey: key)).OkAsync(HttpStatusCode.Created);
        var other = await Http.PostAsync("/_test/files", FileBody("ws:a2"), idempotencyKey: key);
        await other.ErrorAsync(ErrorCodes.IdempotencyKeyConflict);
        Assert.Equal(0, await CountAsync("ws:a2"));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has spaces in it")]
    [InlineData("bad*chars!here")]
    public async Task MalformedKeyIsRejected(string key)
    {
        var response = await Http.PostAsync("/_test/files", FileBody("ws:bad-key"), idempotencyKey: key);
        await response.ErrorAsync(ErrorCodes.IdempotencyKeyInvalid);
        Assert.Equal(0, await CountAsync("ws:bad-key"));
    }

    [Fact]
    public async Task QuotedKeyIsTheSameKey()
    {
        var owner = "ws:" + Guid.NewGuid().ToString("N");
        var key = Infrastructure.Http.NewIdempotencyKey();
        await (await Http.PostAsync("/_test/files", FileBody(owner), idempotencyKey: key)).OkAsync(HttpStatusCode.Created);
        var quoted = await Http.PostAsync("/_test/files", FileBody(owner), idempotencyKey: $"\"{key}\"");
        Assert.Equal("true", quoted.Headers.GetValues("Idempotent-Replay").Single());
        Assert.Equal(1, await CountAsync(owner));
    }

    [Fact]
    public async Task TwentyConcurrentRequestsWithOneKeyRunTheActionOnce()
    {
        var owner = "ws:" + Guid.NewGuid().ToString("N");
        var key = Infrastructure.Http.NewIdempotencyKey();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Http.PostAsync("/_test/files", FileBody(owner), idempotencyKey: key)));

        Assert.Equal(1, await CountAsync(owner));
        var fresh = responses.Count(r => r.StatusCode == HttpStatusCode.Created && !r.Headers.Contains("Idempotent-Replay"));
        Assert.Equal(1, fresh);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await response.ErrorAsync(ErrorCodes.IdempotentInProgress);
        }
    }

    [Fact]
    public async Task RepeatWhileTheFirstRunsAnswersInProgressThenReplays()
    {
        var owner = "ws:" + Guid.NewGuid().ToString("N");
        var key = Infrastructure.Http.NewIdempotencyKey();
        var hold = Guid.NewGuid().ToString("N");
        var first = Http.PostAsync("/_test/files", FileBody(owner, hold), idempotencyKey: key);
        await WaitUntilHeldAsync(hold);

        var second = await Http.PostAsync("/_test/files", FileBody(owner, hold), idempotencyKey: key);
        await second.ErrorAsync(ErrorCodes.IdempotentInProgress);
        Assert.True(second.Headers.Contains("Retry-After"));

        await Http.PostAsync($"/_test/release/{hold}", null);
        await (await first).OkAsync(HttpStatusCode.Created);
        var third = await Http.PostAsync("/_test/files", FileBody(owner, hold), idempotencyKey: key);
        Assert.Equal("true", third.Headers.GetValues("Idempotent-Replay").Single());
        Assert.Equal(1, await CountAsync(owner));
    }

    [Fact]
    public async Task ALockWhoseHolderNeverFinishesLapsesAfterSixtySeconds()
    {
        var owner = "ws:" + Guid.NewGuid().ToString("N");
        var key = Infrastructure.Http.NewIdempotencyKey();
        var hold = Guid.NewGuid().ToString("N");
        using var stuckClient = server.NewClient();
        using var cancel = new CancellationTokenSource();
        var stuck = stuckClient.SendAsync(Infrastructure.Http.Request(HttpMethod.Post, "/_test/files", FileBody(owner, hold), idempotencyKey: key), cancel.Token);
        await WaitUntilHeldAsync(hold, 1);
        await (await Http.PostAsync("/_test/files", FileBody(owner, hold), idempotencyKey: key)).ErrorAsync(ErrorCodes.IdempotentInProgress);

        server.Clock.Advance(TimeSpan.FromSeconds(61));
        var takeover = Http.PostAsync("/_test/files", FileBody(owner, hold), idempotencyKey: key);
        await WaitUntilHeldAsync(hold, 2);

        // The first holder gives up after the takeover: its clean-up must not free the new holder's claim.
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuck);
        await (await Http.PostAsync("/_test/files", FileBody(owner, hold), idempotencyKey: key)).ErrorAsync(ErrorCodes.IdempotentInProgress);

        await Http.PostAsync($"/_test/release/{hold}", null);
        await (await takeover).OkAsync(HttpStatusCode.Created);
        Assert.Equal(1, await CountAsync(owner));
        var replay = await Http.PostAsync("/_test/files", FileBody(owner, hold), idempotencyKey: key);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replay").Single());
    }

    /// <summary>Waits until a request is parked at the hold, i.e. it has claimed its key and is running.</summary>
    private async Task WaitUntilHeldAsync(string hold, int waiting = 1)
    {
        while ((await (await Http.GetAsync($"/_test/holds/{hold}")).OkAsync()).GetProperty("count").GetInt32() < waiting)
        {
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task ErrorsTheEndpointAnsweredAreStoredAndReplayed()
    {
        var key = Infrastructure.Http.NewIdempotencyKey();
        var first = await Http.PostAsync("/_test/files", new { quota_owner = "ws:x" }, idempotencyKey: key);
        var firstBody = await first.Content.ReadAsStringAsync();
        await first.ErrorAsync(ErrorCodes.ValidationError);
        var second = await Http.PostAsync("/_test/files", new { quota_owner = "ws:x" }, idempotencyKey: key);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal("VALIDATION_ERROR", second.Headers.GetValues("X-Error-Code").Single());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replay").Single());
        // The stored body is replayed as it was, including the first request's id.
        Assert.Equal(firstBody, await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ServerErrorsAreNotStored()
    {
        var key = Infrastructure.Http.NewIdempotencyKey();
        await (await Http.PostAsync("/_test/fault/internal", new { }, idempotencyKey: key)).ErrorAsync(ErrorCodes.InternalError);
        var again = await Http.PostAsync("/_test/fault/internal", new { }, idempotencyKey: key);
        await again.ErrorAsync(ErrorCodes.InternalError);
        Assert.False(again.Headers.Contains("Idempotent-Replay"));
    }

    [Fact]
    public async Task ACrashBetweenCommitAndResponseCannotRunTheActionTwice()
    {
        var owner = "ws:" + Guid.NewGuid().ToString("N");
        var key = Infrastructure.Http.NewIdempotencyKey();
        using var client = server.NewClient();
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            var lost = await client.PostAsync("/_test/files", FileBody(owner), idempotencyKey: key,
                headers: new Dictionary<string, string> { ["X-Test-Fault"] = "abort-after-commit" });
            await lost.Content.ReadAsStringAsync();
        });

        var retry = await Http.PostAsync("/_test/files", FileBody(owner), idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replay").Single());
        Assert.Equal(1, await CountAsync(owner));
    }

    [Fact]
    public async Task RecordsExpireAfterTwentyFourHours()
    {
        var owner = "ws:" + Guid.NewGuid().ToString("N");
        var key = Infrastructure.Http.NewIdempotencyKey();
        await (await Http.PostAsync("/_test/files", FileBody(owner), idempotencyKey: key)).OkAsync(HttpStatusCode.Created);
        server.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await (await Http.PostAsync("/_test/jobs/idempotency-cleanup", null)).OkAsync();

        var after = await Http.PostAsync("/_test/files", FileBody(owner), idempotencyKey: key);
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        Assert.False(after.Headers.Contains("Idempotent-Replay"));
        Assert.Equal(2, await CountAsync(owner));
    }
}

/// <summary>Keys belong to the caller: two owners on one address may use the same key for different requests.</summary>
public sealed class IdempotencyScopeTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task TheSameKeyFromTwoCallersIsTwoKeys()
    {
        var first = await server.SignupAsync();
        var second = await server.SignupAsync();
        var key = Infrastructure.Http.NewIdempotencyKey();
        var a = await (await server.Http.PostAsync("/v1/workspaces", new { name = "A" }, first.AccessToken, idempotencyKey: key)).OkAsync(HttpStatusCode.Created);
        var b = await server.Http.PostAsync("/v1/workspaces", new { name = "B" }, second.AccessToken, idempotencyKey: key);
        Assert.False(b.Headers.Contains("Idempotent-Replay"));
        Assert.NotEqual(a.GetProperty("id").GetString(), (await b.OkAsync(HttpStatusCode.Created)).GetProperty("id").GetString());
    }
}
