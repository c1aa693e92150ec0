using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Files;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform;

namespace Parley.Server.Files;

/// <summary>
/// Who may see a file of one purpose (<see cref="StoredFile.Purpose"/>). The module that owns the purpose registers
/// one (<c>AddFileAccessPolicy&lt;T&gt;()</c>): rooms for <c>room</c>, messaging for <c>attachment</c>. A file whose
/// purpose has no policy is seen by nobody.
/// </summary>
internal interface IFileAccessPolicy
{
    string Purpose { get; }

    Task<bool> CanSeeAsync(Caller caller, StoredFile file, CancellationToken cancellationToken);
}

internal static class FileAccessPolicyExtensions
{
    public static IServiceCollection AddFileAccessPolicy<T>(this IServiceCollection services) where T : class, IFileAccessPolicy =>
        services.AddScoped<IFileAccessPolicy, T>();
}

/// <summary>Who may see a file: the policy of its purpose decides; a file without one is seen by nobody.</summary>
internal sealed class FileVisibility(FileStore files, IEnumerable<IFileAccessPolicy> policies)
{
    /// <summary>The file, when it exists and the caller may see it; otherwise <c>NOT_FOUND</c>, alike.</summary>
    public async Task<StoredFile> FindVisibleAsync(Caller caller, string fileId, CancellationToken ct)
    {
        var file = await files.FindAsync(fileId, ct);
        var policy = file is null ? null : policies.FirstOrDefault(p => p.Purpose == file.Purpose);
        return policy is not null && await policy.CanSeeAsync(caller, file!, ct) ? file! : throw ApiErrors.NotFound();
    }
}

/// <summary>
/// The file routes every purpose shares: a file's status after its upload, its metadata, and its bytes (served only
/// through <see cref="FileHttp.Download"/>). A file that does not exist, was deleted, or that the caller may not see
/// answers <c>NOT_FOUND</c> alike.
/// </summary>
internal static class FileEndpoints
{
    public static IEndpointRouteBuilder MapFileRoutes(this IEndpointRouteBuilder app)
    {
        var file = app.MapGroup("/v1/files/{fileId}").WithTags("Files").RequireOwnerOrAgent().ProducesErrors(ErrorCodes.NotFound);
        file.MapPost("/complete", CompleteAsync).WithName("CompleteUpload").RequireScope(Scopes.Upload)
            .WithSummary("The file's status once its bytes arrived and were verified (uploaded or quarantined); harmless to repeat.")
            .ProducesErrors(ErrorCodes.UploadNotComplete, ErrorCodes.ForbiddenScope);
        file.MapGet("", GetAsync).WithName("GetFile").WithSummary("A file's metadata, whatever its status.");
        file.MapGet("/content", ContentAsync).WithName("DownloadFile").RequireScope(Scopes.Download)
            .WithSummary("The file's bytes, as an attachment; only once uploaded and verified.")
            .ProducesErrors(ErrorCodes.UploadNotComplete, ErrorCodes.ForbiddenScope);
        return app;
    }

    private static async Task<Ok<FileView>> CompleteAsync(string fileId, Caller caller, FileVisibility access, CancellationToken ct)
    {
        var file = await access.FindVisibleAsync(caller, fileId, ct);
        if (file.Status == StoredFile.PendingUpload)
        {
            FileStore.EnsureUploaded(file);
        }
        return TypedResults.Ok(ToView(file));
    }

    private static async Task<Ok<FileView>> GetAsync(string fileId, Caller caller, FileVisibility access, CancellationToken ct) =>
        TypedResults.Ok(ToView(await access.FindVisibleAsync(caller, fileId, ct)));

    private static async Task<FileHttp.FileDownload> ContentAsync(string fileId, Caller caller, FileVisibility access, FileStore files, CancellationToken ct)
    {
        var file = await access.FindVisibleAsync(caller, fileId, ct);
        return FileHttp.Download(file, files.OpenRead(file));
    }

    private static FileView ToView(StoredFile file) => new(file.Id, file.Status, file.SizeBytes, file.Sha256, file.ContentType, file.Filename,
        Clock.Time(file.CreatedAt), Clock.Time(file.UpdatedAt));
}
