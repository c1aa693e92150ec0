using System.Globalization;
using FsCheck.Fluent;
using Parley.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Parley.Tests.Contract.Fuzz;

/// <summary>A server whose rate limits stay out of the way: the fuzzer sends thousands of requests as a few callers, on a clock that never moves.</summary>
public sealed class FuzzServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        foreach (var policy in Parley.Server.Platform.RateLimiting.RateLimiter.Defaults.Keys)
        {
            settings[$"Limits:Rates:{policy}:Limit"] = "10000000";
        }
    }
}

/// <summary>
/// The schema-driven fuzz test: requests generated from the server's own <c>/openapi/v1.json</c> (valid and invalid,
/// with real credentials and ids), each answer held against the document. Seeded and bounded:
/// <c>PARLEY_FUZZ_SEED</c> (default 20261201) and <c>PARLEY_FUZZ_REQUESTS</c> (default 3000); the same seed sends the
/// same requests. The figures go to the test output and, when <c>PARLEY_FUZZ_REPORT</c> names a file, there.
/// </summary>
public sealed class SchemaFuzzTests(FuzzServer server, ITestOutputHelper output) : IClassFixture<FuzzServer>
{
    [Fact]
    public async Task GeneratedRequestsAreAnsweredAsTheDocumentSays()
    {
        var seed = ulong.Parse(Environment.GetEnvironmentVariable("PARLEY_FUZZ_SEED") ?? "20261201", CultureInfo.InvariantCulture);
        var count = int.Parse(Environment.GetEnvironmentVariable("PARLEY_FUZZ_REQUESTS") ?? "3000", CultureInfo.InvariantCulture);
        // For tuning: only these operations (comma-separated ids), and a line per request in the test output.
        var only = Environment.GetEnvironmentVariable("PARLEY_FUZZ_ONLY")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var trace = Environment.GetEnvironmentVariable("PARLEY_FUZZ_TRACE") == "1";

        var document = new ApiDocument(await (await server.Http.GetAsync("/openapi/v1.json")).OkAsync());
        var world = await FuzzWorld.CreateAsync(server);
        var generator = new RequestGenerator(document, world, only);
        var checker = new ResponseChecker(document);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false, UseCookies = false, RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.Latin1, // non-ASCII keys go out as bytes
        }) { Timeout = TimeSpan.FromSeconds(60) };

        var findings = new List<(Finding Finding, FuzzRequest Request, int Index)>();
        var statuses = new SortedDictionary<int, int>();
        var succeeded = new HashSet<string>(StringComparer.Ordinal);
        var mustFail = 0;
        for (var i = 0; i < count; i++)
        {
            var request = generator.Any().Sample(30, new FsCheck.Rnd(seed * 1_000_003UL + (ulong)i), 1)[0];
            using var response = await http.SendAsync(ToHttp(server.BaseAddress, request));
            var body = await response.Content.ReadAsByteArrayAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            mustFail += request.MustFailBecause is null ? 0 : 1;
            findings.AddRange(checker.Check(request, response, body).Select(f => (f, request, i)));
            if (trace)
            {
                output.WriteLine($"#{i} {status} {request.Describe()} -> {System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 200)])}");
            }
            if (status < 300)
            {
                succeeded.Add(request.Operation.Id);
                if (request.Operation.IsWrite && !await world.IsIntactAsync())
                {
                    await world.BuildAsync();
                }
            }
        }

        int Count(string kind) => findings.Count(f => f.Finding.Kind == kind);
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"fuzz ({(Environment.GetEnvironmentVariable("PARLEY_TEST_POSTGRES") is { Length: > 0 } ? "PostgreSQL" : "SQLite")}): seed {seed}, "
            + $"{count} requests ({mustFail} invalid by the document), {document.Operations.Count} operations, {succeeded.Count} answered 2xx at least once, "
            + $"{world.Builds} worlds; statuses {string.Join(" ", statuses.Select(s => $"{s.Key}×{s.Value}"))}; "
            + $"5xx {Count(ResponseChecker.ServerError)}, errors without envelope {Count(ResponseChecker.NoEnvelope)}, "
            + $"schema violations {Count(ResponseChecker.SchemaViolation)}, undocumented statuses {Count(ResponseChecker.Undocumented)}, "
            + $"unlisted error codes {Count(ResponseChecker.UnlistedCode)}, invalid requests accepted {Count(ResponseChecker.InvalidAccepted)}");
        output.WriteLine(summary);
        output.WriteLine("never answered 2xx: " + string.Join(", ", document.Operations.Select(o => o.Id).Where(id => !succeeded.Contains(id)).Order()));
        if (Environment.GetEnvironmentVariable("PARLEY_FUZZ_REPORT") is { Length: > 0 } report)
        {
            await File.AppendAllTextAsync(report, summary + Environment.NewLine);
        }
        var shown = findings.GroupBy(f => (f.Finding.Kind, f.Request.Operation.Id, Head(f.Finding.Detail))).Select(g => g.First()).Take(40)
            .Select(f => $"#{f.Index} {f.Finding.Kind} [{f.Request.Operation.Id}] {f.Finding.Detail}\n    {f.Request.Describe()}");
        Assert.True(findings.Count == 0, summary + "\n" + string.Join("\n", shown));
    }

    private static string Head(string detail) => detail.Length <= 60 ? detail : detail[..60];

    /// <summary>The request exactly as generated: the URL is not normalised on its way out, headers are not validated.</summary>
    private static HttpRequestMessage ToHttp(Uri server, FuzzRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Operation.Method), Http.ExactUri(server, request.PathAndQuery));
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            if (request.ContentType is { } type)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }
        return message;
    }
}
