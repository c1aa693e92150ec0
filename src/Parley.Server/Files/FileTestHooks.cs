using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Server.Data;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.Testing;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Files;

/// <summary>
/// Test-only routes (<c>Testing:FaultHooks</c>) that reach the file store directly, so its rules (quotas, signed
/// uploads, verification) are tested through HTTP without a module's own rules in between.
/// </summary>
internal static class FileTestHooks
{
    public static IEndpointRouteBuilder MapFileTestHooks(this IEndpointRouteBuilder app)
    {
        var group = FaultHooks.Routes(app);
        group.MapPost("/files", CreateAsync);
        group.MapGet("/files", CountAsync);
        group.MapPost("/files/{id}/complete", CompleteAsync);
        group.MapGet("/files/{id}", GetAsync);
        group.MapGet("/files/{id}/content", ContentAsync);
        return app;
    }

    private static async Task<Created<TestFileCreated>> CreateAsync(TestFileRequest request, HttpContext context, FileStore files,
        IOptions<ParleyOptions> options, CancellationToken ct)
    {
        if (request.Hold is { } hold)
        {
            await FaultHooks.WaitForReleaseAsync(hold, ct);
        }
        var v = new Validator();
        var owner = v.Required("quota_owner", request.QuotaOwner);
        var sha = v.Required("sha256", request.Sha256);
        v.Required("size_bytes", request.SizeBytes);
        v.ThrowIfInvalid();
        var created = await files.CreateAsync(
            new NewFile("test", owner, "test", request.Filename, request.ContentType ?? "application/octet-stream", request.SizeBytes!.Value, sha),
            PublicUrls.Base(context, options.Value), ct);
        return TypedResults.Created($"/_test/files/{created.File.Id}", new TestFileCreated(created.File.Id, created.UploadUrl, created.ExpiresIn));
    }

    private static async Task<Ok<TestFileCount>> CountAsync([Microsoft.AspNetCore.Mvc.FromQuery(Name = "quota_owner")] string quotaOwner, ParleyDb db,
        CancellationToken ct) =>
        TypedResults.Ok(new TestFileCount(await FileStore.All(db).CountAsync(f => f.QuotaOwner == quotaOwner, ct)));

    private static async Task<Ok<TestFileView>> CompleteAsync(string id, FileStore files, CancellationToken ct)
    {
        var file = await files.FindAsync(id, ct) ?? throw ApiErrors.NotFound();
        if (file.Status == StoredFile.PendingUpload)
        {
            FileStore.EnsureUploaded(file);
        }
        return TypedResults.Ok(View(file));
    }

    private static async Task<Ok<TestFileView>> GetAsync(string id, FileStore files, CancellationToken ct) =>
        TypedResults.Ok(View(await files.FindAsync(id, ct) ?? throw ApiErrors.NotFound()));

    private static async Task<FileHttp.FileDownload> ContentAsync(string id, FileStore files, CancellationToken ct)
    {
        var file = await files.FindAsync(id, ct) ?? throw ApiErrors.NotFound();
        return FileHttp.Download(file, files.OpenRead(file));
    }

    private static TestFileView View(StoredFile file) => new(file.Id, file.Status, file.SizeBytes, file.Sha256, file.ContentType);
}

internal sealed record TestFileRequest(string? QuotaOwner, long? SizeBytes, string? Sha256, string? ContentType, string? Filename, string? Hold);

internal sealed record TestFileCount(int Count);

internal sealed record TestFileCreated(string FileId, string UploadUrl, int ExpiresIn);

internal sealed record TestFileView(string Id, string Status, long SizeBytes, string Sha256, string ContentType);
