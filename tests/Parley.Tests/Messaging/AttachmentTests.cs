using System.Net;
using System.Security.Cryptography;
using System.Text;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

public sealed class AttachmentServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Limits:MaxAttachmentBytes"] = "1000";
}

public sealed class AttachmentTests(AttachmentServer server) : IClassFixture<AttachmentServer>
{
    private HttpClient Http => server.Http;

    private async Task<(string Id, string Url)> DeclareAsync(TestAgent from, string to, byte[] bytes)
    {
        var created = await (await Http.PostAsync("/v1/uploads", new
        {
            filename = "notes.txt", content_type = "text/plain", size_bytes = bytes.Length, sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), to,
        }, from.ApiKey)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(900, created.GetProperty("expires_in").GetInt32());
        return (created.GetProperty("attachment_id").GetString()!, created.GetProperty("upload_url").GetString()!);
    }

    private Task<HttpResponseMessage> PutAsync(string url, byte[] bytes) => Http.PutAsync(new Uri(url).PathAndQuery, new ByteArrayContent(bytes));

    private Task<HttpResponseMessage> SendFileAsync(TestAgent from, string to, string attachmentId) =>
        Http.PostAsync("/v1/messages", new { to, client_msg_id = Guid.NewGuid().ToString("N"), type = "file", content = new { attachment_id = attachmentId } }, from.ApiKey);

    [Fact]
    public async Task AnAttachmentIsUploadedVerifiedSentAndDownloadedByItsParticipantsOnly()
    {
        var (owner, a, b) = await server.TwoAgentsAsync();
        var bytes = Encoding.UTF8.GetBytes("the attachment");
        var (id, url) = await DeclareAsync(a, b.Handle, bytes);
        Assert.StartsWith("file_", id, StringComparison.Ordinal);

        var early = await (await SendFileAsync(a, b.Handle, id)).ErrorAsync(ErrorCodes.UploadNotComplete);
        Assert.Equal("pending_upload", early.GetProperty("details").GetProperty("file_status").GetString());
        await (await Http.GetAsync($"/v1/attachments/{id}", a.ApiKey)).ErrorAsync(ErrorCodes.UploadNotComplete);

        Assert.Equal("uploaded", (await (await PutAsync(url, bytes)).OkAsync()).GetProperty("status").GetString());
        var sent = await (await SendFileAsync(a, b.Handle, id)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(id, sent.GetProperty("content").GetProperty("attachment_id").GetString());

        var download = await Http.GetAsync($"/v1/attachments/{id}", b.ApiKey);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"/v1/attachments/{id}", a.ApiKey)).StatusCode);
        var outsider = await server.CreateAgentAsync(owner);
        await (await Http.GetAsync($"/v1/attachments/{id}", outsider.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        // Someone else's upload cannot be sent as one's own.
        await (await SendFileAsync(b, a.Handle, id)).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task TheSharedFileRoutesShowAnAttachmentOnlyToThoseWhoMayDownloadIt()
    {
        var (owner, a, b) = await server.TwoAgentsAsync();
        var bytes = Encoding.UTF8.GetBytes("shared route");
        var (id, url) = await DeclareAsync(a, b.Handle, bytes);
        await (await Http.PostAsync($"/v1/files/{id}/complete", null, a.ApiKey)).ErrorAsync(ErrorCodes.UploadNotComplete);
        await (await PutAsync(url, bytes)).OkAsync();
        Assert.Equal("uploaded", (await (await Http.PostAsync($"/v1/files/{id}/complete", null, a.ApiKey)).OkAsync()).GetProperty("status").GetString());
        await (await Http.GetAsync($"/v1/files/{id}", b.ApiKey)).ErrorAsync(ErrorCodes.NotFound); // not sent yet
        await (await SendFileAsync(a, b.Handle, id)).OkAsync(HttpStatusCode.Created);
        await (await Http.GetAsync($"/v1/files/{id}", b.ApiKey)).OkAsync();
        Assert.Equal(bytes, await (await Http.GetAsync($"/v1/files/{id}/content", b.ApiKey)).Content.ReadAsByteArrayAsync());
        var outsider = await server.CreateAgentAsync(owner);
        await (await Http.GetAsync($"/v1/files/{id}", outsider.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task MismatchedBytesAreQuarantinedAndCannotBeSent()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        var (id, url) = await DeclareAsync(a, b.Handle, Encoding.UTF8.GetBytes("declared"));
        Assert.Equal("quarantined", (await (await PutAsync(url, Encoding.UTF8.GetBytes("different"))).OkAsync()).GetProperty("status").GetString());
        var error = await (await SendFileAsync(a, b.Handle, id)).ErrorAsync(ErrorCodes.UploadNotComplete);
        Assert.Equal("quarantined", error.GetProperty("details").GetProperty("file_status").GetString());
    }

    [Fact]
    public async Task DeclarationsAreCheckedForSizeShapeAndDestination()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        var tooBig = await (await Http.PostAsync("/v1/uploads", new { filename = "big", content_type = "application/octet-stream", size_bytes = 1001, sha256 = new string('a', 64), to = b.Handle }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ContentTooLarge);
        Assert.Equal(1000, tooBig.GetProperty("details").GetProperty("limit_bytes").GetInt64());
        await (await Http.PostAsync("/v1/uploads", new { filename = "x", content_type = "text/plain", size_bytes = 3, sha256 = "nothex", to = b.Handle }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync("/v1/uploads", new { filename = "x", content_type = "text/plain", size_bytes = 3, sha256 = new string('a', 64), to = "nobody-at-all" }, a.ApiKey))
            .ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.PostAsync("/v1/uploads", new { filename = "x", content_type = "text/plain", size_bytes = 3, sha256 = new string('a', 64), conversation_id = "conv_none" }, a.ApiKey))
            .ErrorAsync(ErrorCodes.ConversationNotFound);
        var owner = await server.SignupAsync();
        var readOnly = await server.CreateAgentAsync(owner, scopes: ["read", "write"]);
        var scope = await (await Http.PostAsync("/v1/uploads", new { filename = "x", content_type = "text/plain", size_bytes = 3, sha256 = new string('a', 64), to = b.Handle }, readOnly.ApiKey))
            .ErrorAsync(ErrorCodes.ForbiddenScope);
        Assert.Equal("upload", scope.GetProperty("details").GetProperty("required_scope").GetString());
    }
}
