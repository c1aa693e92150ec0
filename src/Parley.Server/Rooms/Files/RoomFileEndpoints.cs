using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Parley.Server.Files;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Rooms.Files;

/// <summary>A room's files: inline writes and reads, deletion, and uploads of large files. Writes need <c>upload</c>, bytes <c>download</c>.</summary>
internal static class RoomFileEndpoints
{
    public static IEndpointRouteBuilder MapRoomFiles(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/v1/rooms/{roomId}").WithTags("Room files").RequireOwnerOrAgent()
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember, ErrorCodes.ForbiddenScope);
        files.MapGet("/files", ListAsync).WithName("ListRoomFiles").WithSummary("The latest version of every path, with its status.").RateLimited("room-read");
        files.MapPut("/files/{**path}", WriteAsync).WithName("WriteRoomFile").RequireScope(Scopes.Upload)
            .WithSummary("Write a small file inline (at most 256 KiB decoded); an existing path gets a new version (201).")
            .RateLimited("room-write").ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.ContentTooLarge, ErrorCodes.FeatureLimitReached);
        files.MapGet("/files/{**path}", ReadAsync).WithName("ReadRoomFile").RequireScope(Scopes.Download)
            .WithSummary("A file's bytes (the latest version, or ?version=), as an attachment.").RateLimited("room-read")
            .ProducesErrors(ErrorCodes.UploadNotComplete);
        files.MapDelete("/files/{**path}", DeleteAsync).WithName("DeleteRoomFile").RequireScope(Scopes.Upload)
            .WithSummary("Remove every version of a path.").RateLimited("room-write").ProducesErrors(ErrorCodes.ThreadNotActive);
        files.MapPost("/uploads", UploadAsync).WithName("CreateRoomUpload").RequireScope(Scopes.Upload)
            .WithSummary("Announce a large file (size and sha256): a signed single-use upload URL (201).").RateLimited("room-upload")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.ContentTooLarge, ErrorCodes.FeatureLimitReached);
        return app;
    }

    private static async Task<Ok<Page<RoomFileView>>> ListAsync(string roomId, [Range(1, Paging.MaxLimit)] int? limit, string? cursor, Caller caller, RoomFileService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller, roomId, limit, cursor, ct));

    private static async Task<Created<RoomFileView>> WriteAsync(string roomId, string? path, WriteRoomFileRequest request, Caller caller,
        HttpContext http, RoomFileService s, CancellationToken ct)
    {
        var file = await s.WriteAsync(caller, roomId, RoomFileUrls.Path(http, path), request, ct);
        return TypedResults.Created(RoomFileUrls.Of(roomId, file.Path, file.Version), file);
    }

    private static async Task<FileHttp.FileDownload> ReadAsync(string roomId, string? path, long? version, Caller caller, HttpContext http, RoomFileService s,
        CancellationToken ct)
    {
        var file = await s.FindAsync(caller, roomId, RoomFileUrls.Path(http, path), version, ct);
        return FileHttp.Download(file, s.OpenRead(file));
    }

    private static async Task<NoContent> DeleteAsync(string roomId, string? path, Caller caller, HttpContext http, RoomFileService s,
        CancellationToken ct)
    {
        await s.DeleteAsync(caller, roomId, RoomFileUrls.Path(http, path), ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<RoomUploadCreated>> UploadAsync(string roomId, CreateRoomUploadRequest request, Caller caller, HttpContext http,
        RoomFileService s, IOptions<ParleyOptions> options, CancellationToken ct)
    {
        var created = await s.CreateUploadAsync(caller, roomId, request, PublicUrls.Base(http, options.Value), ct);
        return TypedResults.Created($"/v1/files/{created.FileId}", created);
    }
}

/// <summary>
/// How a room file's path travels in a URL (<c>/v1/rooms/{id}/files/{path}</c>): the path with each segment
/// percent-encoded, <c>/</c> between segments; an encoded <c>%2F</c> is a <c>/</c> too, so a client that encodes the
/// whole path (as generated clients do) names the same file. The path is read from the request line as the client
/// sent it, before the web server resolves <c>.</c> and <c>..</c> segments, so a dot segment however it is spelled
/// (<c>..</c>, <c>%2e%2e</c>, <c>..%2F</c>) reaches <see cref="RoomPaths"/> and is refused there.
/// </summary>
internal static class RoomFileUrls
{
    private const int PrefixSegments = 5; // "", "v1", "rooms", "{roomId}", "files"

    /// <summary>The URL of one version of a room file, its path written the way <see cref="Path"/> reads it.</summary>
    public static string Of(string roomId, string path, long version) =>
        $"/v1/rooms/{roomId}/files/{Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal)}?version={version}";

    public static string? Path(HttpContext http, string? routed)
    {
        var raw = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return routed;
        }
        if (!raw.StartsWith('/') && Uri.TryCreate(raw, UriKind.Absolute, out var absolute))
        {
            raw = absolute.AbsolutePath;
        }
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var segments = (query < 0 ? raw : raw[..query]).Split('/');
        if (segments.Length <= PrefixSegments || segments.Take(PrefixSegments).Any(s => Unescape(s) is "." or ".."))
        {
            // The route matched only after the web server resolved dot segments before "files/": refused the same way.
            throw ApiErrors.Validation("path", RoomPaths.NoDotSegments);
        }
        return Unescape(string.Join('/', segments.Skip(PrefixSegments)));
    }

    private static string Unescape(string value) => Uri.UnescapeDataString(value);
}
