using System.Net;
using System.Security.Cryptography;
using System.Text;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

public sealed class FileStoreServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Limits:StorageWorkspaceBytes"] = "1000";
}

/// <summary>The file store's whole lifecycle, through the signed upload route and the test-only create/read routes.</summary>
public sealed class FileStoreTests(FileStoreServer server) : IClassFixture<FileStoreServer>
{
    private HttpClient Http => server.Http;

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private async Task<(string Id, string UploadUrl)> CreateAsync(byte[] declared, string? owner = null, string contentType = "text/html")
    {
        var body = await (await Http.PostAsync("/_test/files", new
        {
            quota_owner = owner ?? "ws:" + Guid.NewGuid().ToString("N"),
            size_bytes = declared.Length,
            sha256 = Sha(declared),
            content_type = contentType,
            filename = "../../etc/re\"port.html",
        })).OkAsync(HttpStatusCode.Created);
        Assert.Equal(900, body.GetProperty("expires_in").GetInt32());
        return (body.GetProperty("file_id").GetString()!, body.GetProperty("upload_url").GetString()!);
    }

    private async Task<HttpResponseMessage> PutAsync(string uploadUrl, byte[] bytes)
    {
        using var content = new ByteArrayContent(bytes);
        return await Http.PutAsync(new Uri(uploadUrl).PathAndQuery, content);
    }

    [Fact]
    public async Task VerifiedUploadIsDownloadedWithSafeHeaders()
    {
        var bytes = Encoding.UTF8.GetBytes("<script>alert(1)</script>");
        var (id, url) = await CreateAsync(bytes);
        Assert.StartsWith("file_", id, StringComparison.Ordinal);
        Assert.StartsWith(server.BaseAddress.ToString().TrimEnd('/') + "/v1/uploads/" + id + "?", url, StringComparison.Ordinal);

        await (await Http.PostAsync($"/_test/files/{id}/complete", null)).ErrorAsync(ErrorCodes.UploadNotComplete);

        var put = await (await PutAsync(url, bytes)).OkAsync();
        Assert.Equal("uploaded", put.GetProperty("status").GetString());
        var completed = await (await Http.PostAsync($"/_test/files/{id}/complete", null)).OkAsync();
        Assert.Equal("uploaded", completed.GetProperty("status").GetString());
        // Completing again is harmless.
        await (await Http.PostAsync($"/_test/files/{id}/complete", null)).OkAsync();

        var download = await Http.GetAsync($"/_test/files/{id}/content");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/html", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.DoesNotContain("/", download.Content.Headers.ContentDisposition?.FileNameStar ?? "", StringComparison.Ordinal);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("sandbox", download.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MismatchedBytesAreQuarantinedAndCannotBeDownloaded()
    {
        var (id, url) = await CreateAsync(Encoding.UTF8.GetBytes("the declared content"));
        var put = await (await PutAsync(url, Encoding.UTF8.GetBytes("something else entirely"))).OkAsync();
        Assert.Equal("quarantined", put.GetProperty("status").GetString());

        var complete = await (await Http.PostAsync($"/_test/files/{id}/complete", null)).OkAsync();
        Assert.Equal("quarantined", complete.GetProperty("status").GetString());
        var download = await Http.GetAsync($"/_test/files/{id}/content");
        var error = await download.ErrorAsync(ErrorCodes.UploadNotComplete);
        Assert.Equal("quarantined", error.GetProperty("details").GetProperty("file_status").GetString());
        // Metadata stays readable.
        Assert.Equal("quarantined", (await (await Http.GetAsync($"/_test/files/{id}")).OkAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task SameSizeWrongHashIsQuarantined()
    {
        var (_, url) = await CreateAsync(Encoding.UTF8.GetBytes("abcd"));
        Assert.Equal("quarantined", (await (await PutAsync(url, Encoding.UTF8.GetBytes("abce"))).OkAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task DownloadBeforeBytesArriveAnswersUploadNotComplete()
    {
        var (id, _) = await CreateAsync([1, 2, 3]);
        var error = await (await Http.GetAsync($"/_test/files/{id}/content")).ErrorAsync(ErrorCodes.UploadNotComplete);
        Assert.Equal("pending_upload", error.GetProperty("details").GetProperty("file_status").GetString());
    }

    [Fact]
    public async Task UploadUrlIsSingleUse()
    {
        var bytes = new byte[] { 9, 8, 7 };
        var (_, url) = await CreateAsync(bytes);
        await (await PutAsync(url, bytes)).OkAsync();
        await (await PutAsync(url, bytes)).ErrorAsync(ErrorCodes.Conflict);
    }

    [Fact]
    public async Task TamperedUploadUrlIsForbidden()
    {
        var bytes = new byte[] { 1 };
        var (id, url) = await CreateAsync(bytes);
        var (otherId, _) = await CreateAsync(bytes);
        var forged = url.Replace(id, otherId, StringComparison.Ordinal);
        var error = await (await PutAsync(forged, bytes)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("upload_url_invalid", error.GetProperty("details").GetProperty("reason").GetString());
        var noSignature = await (await PutAsync(url[..url.IndexOf("&signature", StringComparison.Ordinal)], bytes)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("upload_url_invalid", noSignature.GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task UploadUrlExpiresAfterFifteenMinutes()
    {
        var bytes = new byte[] { 4, 2 };
        var (_, url) = await CreateAsync(bytes);
        server.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        var error = await (await PutAsync(url, bytes)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("upload_url_expired", error.GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task StorageQuotaIsExactUnderConcurrency()
    {
        var owner = "ws:" + Guid.NewGuid().ToString("N");
        var sha = new string('b', 64);
        var responses = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ =>
            Http.PostAsync("/_test/files", new { quota_owner = owner, size_bytes = 100, sha256 = sha })));
        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var rejected in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var error = await rejected.ErrorAsync(ErrorCodes.FeatureLimitReached);
            Assert.Equal("storage", error.GetProperty("details").GetProperty("feature").GetString());
            Assert.Equal(1000, error.GetProperty("details").GetProperty("limit").GetInt64());
        }
    }

    [Fact]
    public async Task CleanupDeletesStalePendingAndQuarantinedFiles()
    {
        var (pending, _) = await CreateAsync([1]);
        var (quarantined, url) = await CreateAsync([2]);
        await (await PutAsync(url, [3])).OkAsync();
        var (kept, keptUrl) = await CreateAsync([4]);
        await (await PutAsync(keptUrl, [4])).OkAsync();

        server.Clock.Advance(TimeSpan.FromHours(23));
        await (await Http.PostAsync("/_test/jobs/file-cleanup", null)).OkAsync();
        await (await Http.GetAsync($"/_test/files/{pending}")).OkAsync();

        server.Clock.Advance(TimeSpan.FromHours(2));
        await (await Http.PostAsync("/_test/jobs/file-cleanup", null)).OkAsync();
        await (await Http.GetAsync($"/_test/files/{pending}")).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.GetAsync($"/_test/files/{quarantined}")).OkAsync();

        server.Clock.Advance(TimeSpan.FromDays(7));
        await (await Http.PostAsync("/_test/jobs/file-cleanup", null)).OkAsync();
        await (await Http.GetAsync($"/_test/files/{quarantined}")).ErrorAsync(ErrorCodes.NotFound);
        var keptBytes = await (await Http.GetAsync($"/_test/files/{kept}/content")).Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 4 }, keptBytes);
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "files", quarantined[^2..].ToLowerInvariant(), quarantined)));
    }
}
