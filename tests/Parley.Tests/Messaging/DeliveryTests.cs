using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

public sealed class BacklogServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:BacklogCap"] = "6";
        settings["Limits:BacklogWarning"] = "3";
        settings["Limits:Rates:agent-send:Limit"] = "3";
        settings["Limits:Rates:agent-send:WindowSeconds"] = "1";
    }
}

public sealed class DeliveryTests(BacklogServer server) : IClassFixture<BacklogServer>
{
    private HttpClient Http => server.Http;

    private void NextSecond() => server.Clock.Advance(TimeSpan.FromSeconds(1));

    [Fact]
    public async Task SyncPagesOldestFirstAndCumulativeAckIsIdempotent()
    {
        var (a, b) = await server.PairAsync();
        NextSecond();
        await server.SyncAsync(b);
        await (await Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = (await server.SyncAsync(b)).GetProperty("messages")[0].GetProperty("delivery_id").GetString() }, b.ApiKey)).OkAsync();
        for (var i = 0; i < 3; i++)
        {
            await server.SendOkAsync(a, b.Handle, $"m{i}");
        }
        NextSecond();
        var first = await server.SyncAsync(b, limit: 2);
        var items = first.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["m0", "m1"], items.Select(i => i.GetProperty("message").GetProperty("content").GetProperty("text").GetString()));
        Assert.True(first.GetProperty("has_more").GetBoolean());
        var rest = await server.SyncAsync(b, after: items[1].GetProperty("delivery_id").GetString(), limit: 2);
        Assert.Equal("m2", Assert.Single(rest.GetProperty("messages").EnumerateArray()).GetProperty("message").GetProperty("content").GetProperty("text").GetString());
        // Sync marks nothing.
        Assert.Equal(3, (await server.SyncAsync(b)).GetProperty("messages").GetArrayLength());

        var ack = await (await Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = items[1].GetProperty("delivery_id").GetString() }, b.ApiKey)).OkAsync();
        Assert.Equal(2, ack.GetProperty("acked").GetInt64());
        var repeat = await (await Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = items[1].GetProperty("delivery_id").GetString() }, b.ApiKey)).OkAsync();
        Assert.Equal(0, repeat.GetProperty("acked").GetInt64());
        Assert.Single((await server.SyncAsync(b)).GetProperty("messages").EnumerateArray());
        await (await Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = "del_999999999999" }, b.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = "nonsense" }, b.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.GetAsync("/v1/messages/sync?limit=501", b.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task TheBacklogCapStoresNothingAndWarnsOnTheWay()
    {
        var (owner, _, recipient) = await server.TwoAgentsAsync();
        var senders = new List<TestAgent>();
        for (var i = 0; i < 7; i++)
        {
            senders.Add(await server.CreateAgentAsync(owner));
        }
        HttpResponseMessage? last = null;
        for (var i = 0; i < 6; i++)
        {
            last = await server.SendTextAsync(senders[i], recipient.Handle, $"n{i}");
            await last.OkAsync(HttpStatusCode.Created);
            if (i < 2)
            {
                Assert.False(last.Headers.Contains("X-Backlog-Warning"));
            }
        }
        Assert.Equal($"{recipient.Handle}=6", last!.Headers.GetValues("X-Backlog-Warning").Single());
        var refused = await server.SendTextAsync(senders[6], recipient.Handle, "one too many");
        var details = (await refused.ErrorAsync(ErrorCodes.RecipientBacklogged)).GetProperty("details");
        Assert.Equal(recipient.Handle, details.GetProperty("recipient_handle").GetString());
        Assert.Equal(6, details.GetProperty("undelivered_count").GetInt64());
        Assert.Equal("30", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal(6, (await server.SyncAsync(recipient)).GetProperty("messages").GetArrayLength());
        // Nothing was stored: the refused sender has no conversation.
        Assert.Equal(0, (await (await Http.GetAsync("/v1/conversations", senders[6].ApiKey)).OkAsync()).GetProperty("data").GetArrayLength());

        var items = (await server.SyncAsync(recipient)).GetProperty("messages").EnumerateArray().ToList();
        await (await Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = items[^1].GetProperty("delivery_id").GetString() }, recipient.ApiKey)).OkAsync();
        await (await server.SendTextAsync(senders[6], recipient.Handle, "now it fits")).OkAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task SendsOverTheRateAreLimitedPerAgent()
    {
        var (a, b) = await server.PairAsync();
        NextSecond();
        await server.Clock.AlignToSecondAsync();
        for (var i = 0; i < 3; i++)
        {
            await server.SendOkAsync(a, b.Handle, $"r{i}");
        }
        var limited = await server.SendTextAsync(a, b.Handle, "r3");
        var details = (await limited.ErrorAsync(ErrorCodes.RateLimited)).GetProperty("details");
        Assert.Equal(3, details.GetProperty("limit").GetInt32());
        Assert.Equal("\"agent-send\";q=3;w=1", limited.Headers.GetValues("RateLimit-Policy").Single());
        // Another agent is not affected.
        await server.SendOkAsync(b, a.Handle, "other agent");
        NextSecond();
        await server.SendOkAsync(a, b.Handle, "next second");
    }
}
