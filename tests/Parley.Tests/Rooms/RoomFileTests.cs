using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Rooms;

/// <summary>A room workspace's storage is small here, to reach the quota.</summary>
public sealed class RoomFilesServer : RoomsServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["Limits:StorageWorkspaceBytes"] = "600000";
    }
}

/// <summary>Room files: inline versions, path rules, verified uploads, safe downloads, scopes and the storage quota.</summary>
public sealed class RoomFileTests(RoomFilesServer server) : IClassFixture<RoomFilesServer>
{
    private HttpClient Http => server.Http;

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static void AssertSafeDownload(HttpResponseMessage response, string contentType)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task InlineWritesMakeVersionsThatAreReadAsAttachments()
    {
        var setup = await server.RoomWithAgentsAsync();
        var url = $"/v1/rooms/{setup.RoomId}/files/docs/plan.md";
        var v1 = await (await Http.SendAsync(HttpMethod.Put, url, new { content = "first" }, setup.A.ApiKey)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(("docs/plan.md", 1L, 5L, "uploaded"), (v1.GetProperty("path").GetString(), v1.GetProperty("version").GetInt64(),
            v1.GetProperty("size").GetInt64(), v1.GetProperty("status").GetString()));
        Assert.Equal(Sha(Encoding.UTF8.GetBytes("first")), v1.GetProperty("sha256").GetString());
        Assert.Equal("text/plain; charset=utf-8", v1.GetProperty("content_type").GetString());
        Assert.Equal(setup.A.Id, v1.GetProperty("updated_by").GetProperty("id").GetString());
        var v2 = await (await Http.SendAsync(HttpMethod.Put, url, new { content = "<b>second</b>", content_type = "text/html" }, setup.B.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        Assert.Equal(2, v2.GetProperty("version").GetInt64());

        var latest = await Http.GetAsync(url, setup.Owner.AccessToken);
        AssertSafeDownload(latest, "text/html");
        Assert.Equal("<b>second</b>", await latest.Content.ReadAsStringAsync());
        Assert.Equal("first", await (await Http.GetAsync(url + "?version=1", setup.B.ApiKey)).Content.ReadAsStringAsync());
        await (await Http.GetAsync(url + "?version=3", setup.B.ApiKey)).ErrorAsync(ErrorCodes.NotFound);

        var bytes = RandomNumberGenerator.GetBytes(1000);
        var binary = await (await Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/img/logo.png",
            new { content = Convert.ToBase64String(bytes), encoding = "base64", content_type = "image/png" }, setup.A.ApiKey)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(Sha(bytes), binary.GetProperty("sha256").GetString());
        Assert.Equal(bytes, await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files/img/logo.png", setup.B.ApiKey)).Content.ReadAsByteArrayAsync());

        var list = (await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files", setup.B.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["docs/plan.md", "img/logo.png"], list.Select(f => f.GetProperty("path").GetString()));
        Assert.Equal(2, list[0].GetProperty("version").GetInt64());

        await (await Http.SendAsync(HttpMethod.Put, url, new { content = "%%%", encoding = "base64" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Put, url, new { content = "x", encoding = "utf-16" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Put, url, new { encoding = "utf-8" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Put, url, new { content = "x", content_type = "not a type" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        var big = await (await Http.SendAsync(HttpMethod.Put, url, new { content = Convert.ToBase64String(new byte[256 * 1024 + 1]), encoding = "base64" }, setup.A.ApiKey))
            .ErrorAsync(ErrorCodes.ContentTooLarge);
        Assert.Equal(256 * 1024, big.GetProperty("details").GetProperty("limit_bytes").GetInt32());

        await (await Http.SendAsync(HttpMethod.Delete, url, token: setup.A.ApiKey)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync(url, setup.A.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.GetAsync($"/v1/files/{v1.GetProperty("file_id").GetString()}", setup.A.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.SendAsync(HttpMethod.Delete, url, token: setup.A.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        Assert.Single((await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files", setup.B.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task PathsAreNfcUtf8OfAtMost512BytesWithoutEmptyDotOrControlSegments()
    {
        var setup = await server.RoomWithAgentsAsync();
        var url = $"/v1/rooms/{setup.RoomId}/uploads";
        object Body(string path) => new { path, content_type = "text/plain", size_bytes = 1, sha256 = new string('a', 64) };
        foreach (var bad in new[] { "", "/etc/passwd", "a//b", "a/", "./a", "a/./b", "a/../b", "..", "a\u0001b", "tab\there", "del\u007f", "e\u0301.txt",
            "\u212b.txt", new string('x', 513), string.Concat(Enumerable.Repeat("\u00e9", 257)) })
        {
            var error = await (await Http.PostAsync(url, Body(bad), setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
            Assert.True(error.GetProperty("fields").TryGetProperty("path", out _), bad);
        }
        foreach (var good in new[] { "\u00e9.txt", "dir/sub/ok.txt", "\u0928\u092e\u0938\u094d\u0924\u0947.txt", "\uac00.md", new string('x', 512), "a..b/.hidden" })
        {
            await (await Http.PostAsync(url, Body(good), setup.A.ApiKey)).OkAsync(HttpStatusCode.Created);
        }
        // The same rules apply in the URL of an inline write.
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/a%01b", new { content = "x" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/e%CC%81.txt", new { content = "x" }, setup.A.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task LargeFilesAreUploadedAndVerifiedBeforeTheyAreServed()
    {
        var setup = await server.RoomWithAgentsAsync();
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        var created = await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/uploads",
            new { path = "data/dump.bin", content_type = "application/octet-stream", size_bytes = bytes.Length, sha256 = Sha(bytes) }, setup.A.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var fileId = created.GetProperty("file_id").GetString()!;
        Assert.StartsWith("file_", fileId, StringComparison.Ordinal);
        Assert.Equal((900, 1L, "data/dump.bin"), (created.GetProperty("expires_in").GetInt32(), created.GetProperty("version").GetInt64(), created.GetProperty("path").GetString()));

        // Before the bytes: listed as pending, and neither served nor complete.
        var listed = (await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files", setup.B.ApiKey)).OkAsync()).GetProperty("data")[0];
        Assert.Equal("pending_upload", listed.GetProperty("status").GetString());
        var pending = await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files/data/dump.bin", setup.B.ApiKey)).ErrorAsync(ErrorCodes.UploadNotComplete);
        Assert.Equal("pending_upload", pending.GetProperty("details").GetProperty("file_status").GetString());
        await (await Http.PostAsync($"/v1/files/{fileId}/complete", null, setup.A.ApiKey)).ErrorAsync(ErrorCodes.UploadNotComplete);
        await (await Http.GetAsync($"/v1/files/{fileId}/content", setup.A.ApiKey)).ErrorAsync(ErrorCodes.UploadNotComplete);
        Assert.Equal("pending_upload", (await (await Http.GetAsync($"/v1/files/{fileId}", setup.B.ApiKey)).OkAsync()).GetProperty("status").GetString());

        using (var content = new ByteArrayContent(bytes))
        {
            Assert.Equal("uploaded", (await (await Http.PutAsync(new Uri(created.GetProperty("upload_url").GetString()!).PathAndQuery, content)).OkAsync())
                .GetProperty("status").GetString());
        }
        var complete = await (await Http.PostAsync($"/v1/files/{fileId}/complete", null, setup.A.ApiKey)).OkAsync();
        Assert.Equal(("uploaded", (long)bytes.Length), (complete.GetProperty("status").GetString(), complete.GetProperty("size_bytes").GetInt64()));
        await (await Http.PostAsync($"/v1/files/{fileId}/complete", null, setup.A.ApiKey)).OkAsync();
        var download = await Http.GetAsync($"/v1/files/{fileId}/content", setup.B.ApiKey);
        AssertSafeDownload(download, "application/octet-stream");
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(bytes, await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files/data/dump.bin", setup.Owner.AccessToken)).Content.ReadAsByteArrayAsync());

        // Bytes that do not match are quarantined, never served.
        var declared = Encoding.UTF8.GetBytes("declared");
        var bad = await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/uploads",
            new { path = "data/dump.bin", content_type = "text/plain", size_bytes = declared.Length, sha256 = Sha(declared) }, setup.A.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        Assert.Equal(2, bad.GetProperty("version").GetInt64());
        using (var wrong = new ByteArrayContent(Encoding.UTF8.GetBytes("tampered")))
        {
            await (await Http.PutAsync(new Uri(bad.GetProperty("upload_url").GetString()!).PathAndQuery, wrong)).OkAsync();
        }
        Assert.Equal("quarantined", (await (await Http.PostAsync($"/v1/files/{bad.GetProperty("file_id").GetString()}/complete", null, setup.A.ApiKey)).OkAsync())
            .GetProperty("status").GetString());
        var quarantined = await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files/data/dump.bin", setup.B.ApiKey)).ErrorAsync(ErrorCodes.UploadNotComplete);
        Assert.Equal("quarantined", quarantined.GetProperty("details").GetProperty("file_status").GetString());
        Assert.Equal(bytes.Length, (await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files/data/dump.bin?version=1", setup.B.ApiKey)).Content.ReadAsByteArrayAsync()).Length);

        var tooBig = await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/uploads",
            new { path = "huge.bin", content_type = "application/octet-stream", size_bytes = 100L * 1024 * 1024 + 1, sha256 = new string('0', 64) }, setup.A.ApiKey))
            .ErrorAsync(ErrorCodes.ContentTooLarge);
        Assert.Equal(100L * 1024 * 1024, tooBig.GetProperty("details").GetProperty("limit_bytes").GetInt64());
        await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/uploads", new { path = "x.bin", content_type = "text/plain", size_bytes = 1, sha256 = "abc" }, setup.A.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task FileWritesNeedTheUploadScopeAndBytesTheDownloadScope()
    {
        var setup = await server.RoomWithAgentsAsync();
        var writer = await server.CreateAgentAsync(setup.Owner, scopes: ["read", "write"]);
        var uploader = await server.CreateAgentAsync(setup.Owner, scopes: ["read", "write", "upload"]);
        await server.AddMemberAsync(setup.Owner.AccessToken, setup.RoomId, writer.Id);
        await server.AddMemberAsync(setup.Owner.AccessToken, setup.RoomId, uploader.Id);
        var url = $"/v1/rooms/{setup.RoomId}/files/notes.txt";

        var noUpload = await (await Http.SendAsync(HttpMethod.Put, url, new { content = "x" }, writer.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
        Assert.Equal("upload", noUpload.GetProperty("details").GetProperty("required_scope").GetString());
        await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/uploads", new { path = "a", content_type = "text/plain", size_bytes = 1, sha256 = new string('a', 64) },
            writer.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
        var file = await (await Http.SendAsync(HttpMethod.Put, url, new { content = "x" }, uploader.ApiKey)).OkAsync(HttpStatusCode.Created);
        var noDownload = await (await Http.GetAsync(url, uploader.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
        Assert.Equal("download", noDownload.GetProperty("details").GetProperty("required_scope").GetString());
        await (await Http.GetAsync($"/v1/files/{file.GetProperty("file_id").GetString()}/content", uploader.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
        // Listing and metadata are reads.
        await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/files", writer.ApiKey)).OkAsync();
        await (await Http.GetAsync($"/v1/files/{file.GetProperty("file_id").GetString()}", writer.ApiKey)).OkAsync();
        await (await Http.SendAsync(HttpMethod.Delete, url, token: writer.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
    }

    [Fact]
    public async Task RoomFilesCountAgainstTheRoomWorkspacesStorage()
    {
        var setup = await server.RoomWithAgentsAsync();
        var chunk = Convert.ToBase64String(new byte[256 * 1024]);
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/one.bin", new { content = chunk, encoding = "base64" }, setup.A.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/two.bin", new { content = chunk, encoding = "base64" }, setup.B.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var full = await (await Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/three.bin", new { content = chunk, encoding = "base64" }, setup.A.ApiKey))
            .ErrorAsync(ErrorCodes.FeatureLimitReached);
        Assert.Equal("storage", full.GetProperty("details").GetProperty("feature").GetString());
        // Another room of the same workspace shares the quota; deleting frees it.
        var other = await server.CreateRoomAsync(setup.Owner.AccessToken);
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{other}/files/three.bin", new { content = chunk, encoding = "base64" }, setup.Owner.AccessToken))
            .ErrorAsync(ErrorCodes.FeatureLimitReached);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/rooms/{setup.RoomId}/files/one.bin", token: setup.A.ApiKey)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{other}/files/three.bin", new { content = chunk, encoding = "base64" }, setup.Owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        Assert.Equal(JsonValueKind.Array, (await (await Http.GetAsync($"/v1/rooms/{other}/files", setup.Owner.AccessToken)).OkAsync()).GetProperty("data").ValueKind);
    }
}
