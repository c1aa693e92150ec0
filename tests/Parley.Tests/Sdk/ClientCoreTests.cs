using System.Net;
using Parley.Cli;
using Parley.Client;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sdk;

/// <summary>The SDK's core and the CLI against a real server.</summary>
public sealed class ClientCoreTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task ReadsTheCatalogAndSurfacesErrorsAsExceptions()
    {
        using var client = new ParleyClient(server.BaseAddress);
        var catalog = await client.GetErrorCatalogAsync();
        Assert.Equal(ErrorCatalog.All.Count, catalog.Count);
        Assert.True(await client.IsReadyAsync());

        var error = await Assert.ThrowsAsync<ParleyApiException>(() => client.SendAsync<object>(HttpMethod.Get, "v1/nothing-here", null));
        Assert.Equal(ErrorCodes.NotFound, error.Code);
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.False(error.Retryable);
        Assert.StartsWith("req_", error.RequestId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetriesRetryableErrorsAfterRetryAfterWithTheSameIdempotencyKey()
    {
        var clock = new ManualClock();
        using var handler = new FirstAttemptFails { InnerHandler = new HttpClientHandler() };
        using var client = new ParleyClient(server.BaseAddress, options: new ParleyClientOptions { Time = clock }, handler: handler);
        var owner = "ws:" + Guid.NewGuid().ToString("N");

        var waiting = clock.NextTimerCreated();
        var send = client.SendAsync<System.Text.Json.JsonElement>(HttpMethod.Post, "_test/files",
            new { quota_owner = owner, size_bytes = 1, sha256 = new string('c', 64) });
        await waiting; // the client is waiting out the server's Retry-After (1 s) on its clock
        Assert.False(send.IsCompleted);
        Assert.Single(handler.Keys);
        clock.Advance(TimeSpan.FromSeconds(1));
        var created = await send;

        Assert.StartsWith("file_", created.GetProperty("file_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, handler.Keys.Count);
        Assert.Equal(handler.Keys[0], handler.Keys[1]);
    }

    [Fact]
    public async Task WithoutRetryAfterTheBackoffIsJitteredWithinHalfToAllOfTheExponentialDelayCappedAtMaxDelay()
    {
        // Every attempt hits the unreachable database (a real 503 from the server); the handler drops its Retry-After,
        // and the recording clock notes each wait and ends it at once, so nothing sleeps.
        var clock = new RecordingClock();
        using var handler = new FirstAttemptFails { InnerHandler = new HttpClientHandler(), EveryAttempt = true, DropRetryAfter = true };
        var options = new ParleyClientOptions
        {
            Time = clock, MaxRetries = 6, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(1000),
        };
        using var client = new ParleyClient(server.BaseAddress, options: options, handler: handler);
        const int Sends = 4;
        for (var i = 0; i < Sends; i++)
        {
            var error = await Assert.ThrowsAsync<ParleyApiException>(() => client.SendAsync<System.Text.Json.JsonElement>(HttpMethod.Post, "_test/files",
                new { quota_owner = "ws:" + Guid.NewGuid().ToString("N"), size_bytes = 1, sha256 = new string('d', 64) }));
            Assert.Equal(ErrorCodes.ServiceUnavailable, error.Code);
            Assert.Null(error.RetryAfter);
        }

        // Each send: the first attempt and six retries, none given up early because 100 ms × 2^n outgrew MaxDelay.
        Assert.Equal(Sends * 7, handler.Keys.Count);
        Assert.Equal(Sends * 6, clock.Delays.Count);
        var shares = new List<double>();
        for (var i = 0; i < clock.Delays.Count; i++)
        {
            var full = Math.Min(100 << (i % 6), 1000);
            var delay = clock.Delays[i].TotalMilliseconds;
            Assert.InRange(delay, full / 2, full);
            shares.Add((delay - full / 2.0) / (full / 2.0));
        }
        // Random shares of the upper half: not one fixed delay per attempt (24 equal draws would be a broken jitter).
        Assert.True(shares.Distinct().Count() > 1, "the delays do not vary: " + string.Join(", ", clock.Delays));
        Assert.Contains(clock.Delays, d => d > TimeSpan.FromMilliseconds(500));

        // With Retry-After the client waits exactly that, without jitter.
        var exact = new RecordingClock();
        using var once = new FirstAttemptFails { InnerHandler = new HttpClientHandler() };
        using var patient = new ParleyClient(server.BaseAddress, options: new ParleyClientOptions { Time = exact }, handler: once);
        await patient.SendAsync<System.Text.Json.JsonElement>(HttpMethod.Post, "_test/files",
            new { quota_owner = "ws:" + Guid.NewGuid().ToString("N"), size_bytes = 1, sha256 = new string('e', 64) });
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(exact.Delays));
    }

    [Fact]
    public async Task DoesNotRetryWhatIsNotRetryable()
    {
        using var handler = new FirstAttemptFails { InnerHandler = new HttpClientHandler(), Fault = null };
        using var client = new ParleyClient(server.BaseAddress, handler: handler);
        var error = await Assert.ThrowsAsync<ParleyApiException>(() => client.SendAsync<object>(HttpMethod.Post, "_test/files", new { }));
        Assert.Equal(ErrorCodes.ValidationError, error.Code);
        Assert.True(error.Fields?.TryGetProperty("sha256", out _));
        Assert.Single(handler.Keys);
    }

    [Fact]
    public async Task CliListsTheCatalogAndReportsHealth()
    {
        var output = new StringWriter();
        var console = new CliConsole(output, new StringWriter());
        Assert.Equal(0, await CliApp.Build(console).Parse(["errors", "--server", server.BaseAddress.ToString()]).InvokeAsync());
        Assert.Equal(ErrorCatalog.All.Count, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("RATE_LIMITED", output.ToString(), StringComparison.Ordinal);

        output.GetStringBuilder().Clear();
        Assert.Equal(0, await CliApp.Build(console).Parse(["health", "--server", server.BaseAddress.ToString()]).InvokeAsync());
        Assert.Equal("ready", output.ToString().Trim());
    }

    [Fact]
    public async Task CliPrintsCatalogErrorsAndUnreachableServersAsOneLineAndExitsOne()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole(output, error);
        var wrongPrefix = new Uri(server.BaseAddress, "/no-such-prefix/");
        Assert.Equal(1, await CliApp.Build(console).Parse(["errors", "--server", wrongPrefix.ToString()]).InvokeAsync());
        Assert.StartsWith("NOT_FOUND: ", error.ToString(), StringComparison.Ordinal);

        error.GetStringBuilder().Clear();
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Assert.Equal(1, await CliApp.Build(console).Parse(["health", "--server", $"http://127.0.0.1:{port}/"]).InvokeAsync());
        Assert.Contains("not reachable", error.ToString(), StringComparison.Ordinal);
        Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(output.ToString());
    }

    /// <summary>Makes the first attempt hit an unreachable database (a real 503 from the server), records each key.</summary>
    private sealed class FirstAttemptFails : DelegatingHandler
    {
        public string? Fault { get; init; } = "database-unavailable";
        public bool EveryAttempt { get; init; }
        public bool DropRetryAfter { get; init; }
        public List<string> Keys { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Keys.Add(request.Headers.GetValues("Idempotency-Key").Single());
            if ((Keys.Count == 1 || EveryAttempt) && Fault is not null)
            {
                request.Headers.Add("X-Test-Fault", Fault);
            }
            var response = await base.SendAsync(request, cancellationToken);
            if (DropRetryAfter)
            {
                response.Headers.RetryAfter = null;
            }
            return response;
        }
    }

    /// <summary>A clock whose timers record their due time and fire at once: the client's waits are observed, not slept.</summary>
    private sealed class RecordingClock : TimeProvider
    {
        private readonly object _gate = new();
        private readonly List<TimeSpan> _delays = [];

        public IReadOnlyList<TimeSpan> Delays
        {
            get
            {
                lock (_gate)
                {
                    return [.. _delays];
                }
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                _delays.Add(dueTime);
            }
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return new Fired();
        }

        private sealed class Fired : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
