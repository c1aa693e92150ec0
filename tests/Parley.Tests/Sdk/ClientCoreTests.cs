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
        public List<string> Keys { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Keys.Add(request.Headers.GetValues("Idempotency-Key").Single());
            if (Keys.Count == 1 && Fault is not null)
            {
                request.Headers.Add("X-Test-Fault", Fault);
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
