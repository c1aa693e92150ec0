using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

public sealed class RateLimitTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task OverTheLimitAnswersRateLimitedWithRetryAfterAndHeaders()
    {
        var http = server.Http;
        // Start at the beginning of a one-second window so the three permits share it.
        server.Clock.Advance(TimeSpan.FromMilliseconds(1000 - (server.Clock.GetUtcNow().ToUnixTimeMilliseconds() % 1000)));
        for (var i = 0; i < 3; i++)
        {
            var ok = await http.GetAsync("/_test/limited");
            await ok.OkAsync();
            Assert.Equal("\"test-hook\";q=3;w=1", ok.Headers.GetValues("RateLimit-Policy").Single());
            Assert.Equal($"\"test-hook\";r={2 - i};t=1", ok.Headers.GetValues("RateLimit").Single());
        }
        server.Clock.Advance(TimeSpan.FromMilliseconds(300));
        var limited = await http.GetAsync("/_test/limited");
        var error = await limited.ErrorAsync(ErrorCodes.RateLimited);
        var details = error.GetProperty("details");
        Assert.Equal(3, details.GetProperty("limit").GetInt32());
        Assert.Equal(1, details.GetProperty("window_seconds").GetInt32());
        Assert.Equal(700, details.GetProperty("retry_after_ms").GetInt64());
        Assert.Equal("1", limited.Headers.GetValues("Retry-After").Single());
        Assert.Equal("\"test-hook\";r=0;t=1", limited.Headers.GetValues("RateLimit").Single());

        server.Clock.Advance(TimeSpan.FromMilliseconds(700));
        await (await http.GetAsync("/_test/limited")).OkAsync();
    }
}
