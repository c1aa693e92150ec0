using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Contract;

/// <summary>Requests the web server itself refuses still get the error envelope and <c>X-Error-Code</c>.</summary>
public sealed class ServerRejectionTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task ANulInTheUrlIsAValidationErrorInTheEnvelope()
    {
        using var http = server.NewClient();
        var error = await (await http.GetAsync("/v1/agents/ab%00cd")).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(error.GetProperty("fields").TryGetProperty("request", out _), error.ToString());
    }

    [Fact]
    public async Task AnOverlongUrlIsAValidationErrorInTheEnvelope()
    {
        using var http = server.NewClient();
        var error = await (await http.GetAsync("/v1/errors/" + new string('x', 20 * 1024))).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(error.GetProperty("fields").TryGetProperty("url", out _), error.ToString());
    }

    [Fact]
    public async Task OverlargeOrTooManyHeadersAreValidationErrorsInTheEnvelope()
    {
        using var http = server.NewClient();
        var big = Http.Request(HttpMethod.Get, "/healthz", headers: new Dictionary<string, string> { ["X-Big"] = new string('y', 40 * 1024) });
        var error = await (await http.SendAsync(big)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(error.GetProperty("fields").TryGetProperty("headers", out _), error.ToString());

        var many = Http.Request(HttpMethod.Get, "/healthz", headers: Enumerable.Range(0, 120).ToDictionary(i => $"X-H{i}", i => "v"));
        error = await (await http.SendAsync(many)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(error.GetProperty("fields").TryGetProperty("headers", out _), error.ToString());
    }

    [Fact]
    public async Task TheApplicationsOwnAnswersPassUntouchedOnTheSameConnection()
    {
        using var http = server.NewClient();
        for (var i = 0; i < 20; i++)
        {
            await (await http.GetAsync("/healthz")).OkAsync();
            await (await http.GetAsync("/v1/nothing-here")).ErrorAsync(ErrorCodes.NotFound);
        }
    }
}
