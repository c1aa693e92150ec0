using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

/// <summary>Caps, sequences and claims under real concurrency, on the provider under test. Rate limits are raised.</summary>
public sealed class ConcurrencyServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:Rates:agent-send:Limit"] = "100000";
        settings["Limits:Rates:auth:Limit"] = "100000";
    }
}

public sealed class ConcurrencyTests(ConcurrencyServer server) : IClassFixture<ConcurrencyServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task OneHundredFiftyColdSendsToNewRecipientsGiveExactlyOneHundred()
    {
        var owner = await server.SignupAsync();
        var sender = await server.CreateAgentAsync(owner);
        var recipients = new List<TestAgent>();
        for (var i = 0; i < 150; i++)
        {
            recipients.Add(await server.CreateAgentAsync(owner));
        }
        var responses = await Task.WhenAll(recipients.Select(r => server.SendTextAsync(sender, r.Handle)));
        Assert.Equal(100, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var details = (await refused.ErrorAsync(ErrorCodes.ColdCapExceeded)).GetProperty("details");
            Assert.Equal(100, details.GetProperty("limit").GetInt32());
            Assert.Equal(86_400, details.GetProperty("window_seconds").GetInt32());
            Assert.Equal("86400", refused.Headers.GetValues("Retry-After").Single());
        }

        // A reply frees a slot; the window frees the rest.
        var answered = recipients.First(r => responses[recipients.IndexOf(r)].StatusCode == HttpStatusCode.Created);
        await server.SendOkAsync(answered, sender.Handle, "reply");
        var waiting = recipients.Where(r => responses[recipients.IndexOf(r)].StatusCode != HttpStatusCode.Created).ToList();
        await server.SendOkAsync(sender, waiting[0].Handle);
        await (await server.SendTextAsync(sender, waiting[1].Handle)).ErrorAsync(ErrorCodes.ColdCapExceeded);
        server.Clock.Advance(TimeSpan.FromHours(24));
        await server.SendOkAsync(sender, waiting[1].Handle);
    }

    [Fact]
    public async Task FiftyConcurrentSendsIntoOneConversationGetFiftyGapFreeSeqs()
    {
        var (a, b) = await server.PairAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => server.SendTextAsync(i % 2 == 0 ? a : b, i % 2 == 0 ? b.Handle : a.Handle, $"m{i}")));
        var seqs = new List<long>();
        foreach (var response in responses)
        {
            seqs.Add((await response.OkAsync(HttpStatusCode.Created)).GetProperty("seq").GetInt64());
        }
        // The pair already exchanged two messages.
        Assert.Equal(Enumerable.Range(3, 50).Select(i => (long)i), seqs.Order());
    }

    [Fact]
    public async Task OneClientMsgIdSentTwentyTimesAtOnceStoresOneMessage()
    {
        var (a, b) = await server.PairAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => server.SendTextAsync(a, b.Handle, "once", "the-one")));
        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            ids.Add((await response.JsonAsync()).GetProperty("id").GetString()!);
        }
        Assert.Single(ids);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        var sync = await server.SyncAsync(b);
        Assert.Single(sync.GetProperty("messages").EnumerateArray(), m => m.GetProperty("message").GetProperty("client_msg_id").GetString() == "the-one");
    }

    [Fact]
    public async Task ConcurrentSendsAndAcksNeverAckAnUnseenDelivery()
    {
        var owner = await server.SignupAsync();
        var recipient = await server.CreateAgentAsync(owner);
        var senders = new List<TestAgent>();
        for (var i = 0; i < 5; i++)
        {
            var s = await server.CreateAgentAsync(owner);
            await server.SendOkAsync(s, recipient.Handle, "open");
            await server.SendOkAsync(recipient, s.Handle, "ok");
            senders.Add(s);
        }
        var seen = new HashSet<string>();
        foreach (var m in (await server.SyncAsync(recipient)).GetProperty("messages").EnumerateArray())
        {
            seen.Add(m.GetProperty("message").GetProperty("id").GetString()!);
        }

        var sent = new System.Collections.Concurrent.ConcurrentBag<string>();
        var sending = Task.WhenAll(senders.Select(async s =>
        {
            for (var i = 0; i < 20; i++)
            {
                sent.Add((await server.SendOkAsync(s, recipient.Handle, $"{s.Handle}-{i}")).GetProperty("id").GetString()!);
            }
        }));
        // Meanwhile the recipient syncs and acknowledges exactly what it saw, again and again.
        while (!sending.IsCompleted)
        {
            var page = await server.SyncAsync(recipient, limit: 7);
            var items = page.GetProperty("messages").EnumerateArray().ToList();
            if (items.Count == 0)
            {
                continue;
            }
            foreach (var item in items)
            {
                seen.Add(item.GetProperty("message").GetProperty("id").GetString()!);
            }
            await (await Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = items[^1].GetProperty("delivery_id").GetString() }, recipient.ApiKey)).OkAsync();
        }
        await sending;
        // Whatever was not seen must still be pending: nothing acknowledged was unseen.
        while (true)
        {
            var page = await server.SyncAsync(recipient, limit: 500);
            var items = page.GetProperty("messages").EnumerateArray().ToList();
            foreach (var item in items)
            {
                seen.Add(item.GetProperty("message").GetProperty("id").GetString()!);
            }
            if (items.Count == 0)
            {
                break;
            }
            await (await Http.PostAsync("/v1/messages/sync/ack", new { last_delivery_id = items[^1].GetProperty("delivery_id").GetString() }, recipient.ApiKey)).OkAsync();
        }
        Assert.DoesNotContain(sent, id => !seen.Contains(id));
    }
}
