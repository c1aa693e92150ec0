using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Rooms;

/// <summary>
/// Room file paths in URLs: each segment percent-encoded, <c>%2F</c> a separator too, and dot segments refused however
/// they are spelled. Requests go out exactly as written (no client-side normalisation of the URL).
/// </summary>
public sealed class RoomFilePathTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    private static HttpRequestMessage Raw(HttpMethod method, Uri baseAddress, string pathAndQuery, string token, object? body = null)
    {
        var request = Infrastructure.Http.Request(method, "/", body, token);
        request.RequestUri = Infrastructure.Http.ExactUri(baseAddress, pathAndQuery);
        return request;
    }

    [Theory]
    [InlineData("a/%2e%2e/b")]
    [InlineData("a/../b")]
    [InlineData("./x")]
    [InlineData("%2E/x")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("a%2F%2e%2E%2Fb")]
    [InlineData("a//b")]
    public async Task DotAndEmptySegmentsAreRefusedHoweverTheyAreSpelled(string path)
    {
        var setup = await server.RoomWithAgentsAsync();
        var response = await Http.SendAsync(Raw(HttpMethod.Put, server.BaseAddress, $"/v1/rooms/{setup.RoomId}/files/{path}", setup.A.ApiKey, new { content = "x" }));
        var error = await response.ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(error.GetProperty("fields").TryGetProperty("path", out _), error.ToString());
        var list = await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files", setup.A.ApiKey)).OkAsync();
        Assert.Equal(0, list.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task AnEncodedSlashSeparatesSegmentsLikeAPlainOne()
    {
        var setup = await server.RoomWithAgentsAsync();
        var written = await (await Http.SendAsync(Raw(HttpMethod.Put, server.BaseAddress, $"/v1/rooms/{setup.RoomId}/files/docs%2Fplan%20v2.md",
            setup.A.ApiKey, new { content = "# plan" }))).OkAsync(HttpStatusCode.Created);
        Assert.Equal("docs/plan v2.md", written.GetProperty("path").GetString());
        var read = await Http.SendAsync(Raw(HttpMethod.Get, server.BaseAddress, $"/v1/rooms/{setup.RoomId}/files/docs/plan%20v2.md", setup.B.ApiKey));
        Assert.Equal("# plan", await read.Content.ReadAsStringAsync());
        var percent = await (await Http.SendAsync(Raw(HttpMethod.Put, server.BaseAddress, $"/v1/rooms/{setup.RoomId}/files/100%25.txt",
            setup.A.ApiKey, new { content = "all" }))).OkAsync(HttpStatusCode.Created);
        Assert.Equal("100%.txt", percent.GetProperty("path").GetString());
        await (await Http.SendAsync(Raw(HttpMethod.Delete, server.BaseAddress, $"/v1/rooms/{setup.RoomId}/files/docs%2fplan%20v2.md", setup.A.ApiKey)))
            .OkAsync(HttpStatusCode.NoContent);
    }
}
