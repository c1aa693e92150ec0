using System.Net;
using System.Text;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

public sealed class ErrorContractServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Limits:MaxJsonBodyBytes"] = "4096";
}

public sealed class ErrorContractTests(ErrorContractServer server) : IClassFixture<ErrorContractServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task UnknownRouteAnswersNotFoundInTheEnvelope()
    {
        var response = await Http.GetAsync("/v1/no-such-thing");
        await response.ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task WrongMethodOnAKnownRouteAnswersNotFound()
    {
        var response = await Http.SendAsync(HttpMethod.Delete, "/healthz");
        await response.ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task MalformedJsonAnswersValidationErrorWithFields()
    {
        var response = await Http.PostAsync("/_test/files", "{\"quota_owner\": \"ws:x\", ");
        var error = await response.ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(error.GetProperty("fields").EnumerateObject().Any());
    }

    [Fact]
    public async Task WrongTypeAnswersValidationErrorNamingTheField()
    {
        var response = await Http.PostAsync("/_test/files", "{\"size_bytes\": \"ten\"}");
        var error = await response.ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(error.GetProperty("fields").TryGetProperty("size_bytes", out _), error.ToString());
    }

    [Fact]
    public async Task MissingFieldsAreEachNamed()
    {
        var response = await Http.PostAsync("/_test/files", new { });
        var fields = (await response.ErrorAsync(ErrorCodes.ValidationError)).GetProperty("fields");
        Assert.True(fields.TryGetProperty("quota_owner", out _));
        Assert.True(fields.TryGetProperty("sha256", out _));
        Assert.True(fields.TryGetProperty("size_bytes", out _));
    }

    [Fact]
    public async Task BodyOverTheLimitAnswersContentTooLarge()
    {
        var big = "{\"filename\": \"" + new string('a', 8000) + "\"}";
        var response = await Http.PostAsync("/_test/files", big);
        var error = await response.ErrorAsync(ErrorCodes.ContentTooLarge);
        Assert.Equal(4096, error.GetProperty("details").GetProperty("limit_bytes").GetInt64());
    }

    [Fact]
    public async Task UnhandledExceptionAnswersInternalErrorWithNothingInternal()
    {
        var response = await Http.GetAsync("/_test/fault/internal");
        var error = await response.ErrorAsync(ErrorCodes.InternalError);
        var text = error.ToString();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-db", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/srv/internal", text, StringComparison.Ordinal);
        var requestId = error.GetProperty("request_id").GetString()!;
        Assert.Contains(server.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains(requestId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnreachableDatabaseAnswersServiceUnavailable()
    {
        var response = await Http.SendAsync(HttpMethod.Get, "/readyz", headers: new Dictionary<string, string> { ["X-Test-Fault"] = "database-unavailable" });
        await response.ErrorAsync(ErrorCodes.ServiceUnavailable);
        Assert.Equal("1", response.Headers.GetValues("Retry-After").Single());
        await (await Http.GetAsync("/readyz")).OkAsync();
    }

    [Fact]
    public async Task ProblemDetailsWhenTheClientAsksOnlyForThem()
    {
        var request = Infrastructure.Http.Request(HttpMethod.Post, "/_test/files", new { });
        request.Headers.Accept.ParseAdd("application/problem+json");
        var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ErrorCodes.ValidationError, response.Headers.GetValues("X-Error-Code").Single());
        var problem = await response.JsonAsync();
        Assert.EndsWith("/v1/errors/VALIDATION_ERROR", problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal("Validation failed", problem.GetProperty("title").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("/_test/files", problem.GetProperty("instance").GetString());
        Assert.Equal(ErrorCodes.ValidationError, problem.GetProperty("code").GetString());
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), problem.GetProperty("request_id").GetString());
        Assert.False(problem.GetProperty("retryable").GetBoolean());
        Assert.True(problem.GetProperty("errors").TryGetProperty("sha256", out _));
        Assert.True(problem.TryGetProperty("detail", out _));

        // The type URI resolves to the catalog entry.
        var typePath = new Uri(problem.GetProperty("type").GetString()!).AbsolutePath;
        var entry = await (await Http.GetAsync(typePath)).OkAsync();
        Assert.Equal(ErrorCodes.ValidationError, entry.GetProperty("code").GetString());
    }

    [Fact]
    public async Task ClientRequestIdIsKeptAndABadOneReplaced()
    {
        var kept = await Http.SendAsync(HttpMethod.Get, "/v1/nothing", headers: new Dictionary<string, string> { ["X-Request-Id"] = "client-id 42" });
        Assert.Equal("client-id 42", kept.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("client-id 42", (await kept.ErrorAsync(ErrorCodes.NotFound)).GetProperty("request_id").GetString());

        var tooLong = await Http.SendAsync(HttpMethod.Get, "/healthz", headers: new Dictionary<string, string> { ["X-Request-Id"] = new string('x', 129) });
        Assert.StartsWith("req_", tooLong.Headers.GetValues("X-Request-Id").Single(), StringComparison.Ordinal);
        var plain = await Http.GetAsync("/healthz");
        Assert.Matches("^req_[0-9A-HJKMNP-TV-Z]{26}$", plain.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task ErrorCatalogIsServedWhole()
    {
        var body = await (await Http.GetAsync("/v1/errors")).OkAsync();
        var served = body.EnumerateArray().ToList();
        Assert.Equal(ErrorCatalog.All.Count, served.Count);
        foreach (var (entry, definition) in served.Zip(ErrorCatalog.All))
        {
            Assert.Equal(definition.Code, entry.GetProperty("code").GetString());
            Assert.Equal(definition.Status, entry.GetProperty("status").GetInt32());
            Assert.Equal(definition.Retryable, entry.GetProperty("retryable").GetBoolean());
            Assert.Equal(definition.Title, entry.GetProperty("title").GetString());
            Assert.Equal(definition.Description, entry.GetProperty("description").GetString());
        }
        await (await Http.GetAsync("/v1/errors/NO_SUCH_CODE")).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task CatalogMatchesTheSpecification()
    {
        var spec = Path.Combine(RepoPaths.Root, "..", "shared", "spec", "errors.md");
        if (!File.Exists(spec))
        {
            return; // The shared spec sits beside the checkout in development and CI; nothing to compare elsewhere.
        }
        var rows = File.ReadAllLines(spec)
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\| `([A-Z_]+)` \|\s*(\d+)\s*\|\s*(R?)\s*\|"))
            .Where(m => m.Success)
            .Select(m => (Code: m.Groups[1].Value, Status: int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), Retryable: m.Groups[3].Value == "R"))
            .ToList();
        Assert.Equal(rows.Count, ErrorCatalog.All.Count);
        foreach (var row in rows)
        {
            var definition = ErrorCatalog.Get(row.Code);
            Assert.Equal(row.Status, definition.Status);
            Assert.Equal(row.Retryable, definition.Retryable);
        }
        await Task.CompletedTask;
    }

    [Fact]
    public async Task OpenApiDocumentListsErrorResponses()
    {
        var document = await (await Http.GetAsync("/openapi/v1.json")).OkAsync();
        var upload = document.GetProperty("paths").GetProperty("/v1/uploads/{fileId}").GetProperty("put").GetProperty("responses");
        var forbidden = upload.GetProperty("403");
        Assert.Contains("FORBIDDEN", forbidden.GetProperty("x-error-codes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("#/components/schemas/ErrorEnvelope",
            forbidden.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.True(upload.TryGetProperty("500", out _));
        var codes = document.GetProperty("components").GetProperty("schemas").GetProperty("ErrorEnvelope")
            .GetProperty("properties").GetProperty("error").GetProperty("properties").GetProperty("code").GetProperty("enum");
        Assert.Equal(ErrorCatalog.All.Count, codes.GetArrayLength());
        Assert.False(document.GetProperty("paths").TryGetProperty("/_test/files", out _));
    }

    [Fact]
    public async Task ErrorReferenceDocumentIsCurrent()
    {
        var path = Path.Combine(RepoPaths.Root, "docs", "errors.md");
        var expected = ErrorReference.RenderMarkdown();
        if (Environment.GetEnvironmentVariable("PARLEY_UPDATE_DOCS") == "1")
        {
            await File.WriteAllTextAsync(path, expected, new UTF8Encoding(false));
        }
        Assert.True(File.Exists(path), "docs/errors.md is missing: run the tests with PARLEY_UPDATE_DOCS=1");
        var actual = await File.ReadAllTextAsync(path);
        Assert.True(expected == actual, "docs/errors.md is stale: run `PARLEY_UPDATE_DOCS=1 dotnet test --filter ErrorReferenceDocumentIsCurrent`");
    }

    [Fact]
    public async Task HealthAndReadinessAnswerWithoutCredentials()
    {
        Assert.Equal("ok", (await (await Http.GetAsync("/healthz")).OkAsync()).GetProperty("status").GetString());
        Assert.Equal("ready", (await (await Http.GetAsync("/readyz")).OkAsync()).GetProperty("status").GetString());
    }
}
