using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Rooms;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform;
using Parley.Server.Platform.Files;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;

namespace Parley.Server.Rooms;

/// <summary>A room's files: inline writes and reads, deletion, and uploads of large files. Writes need <c>upload</c>, bytes <c>download</c>.</summary>
internal static class RoomFileEndpoints
{
    public static IEndpointRouteBuilder MapRoomFileRoutes(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/v1/rooms/{roomId}").WithTags("Room files").RequireOwnerOrAgent()
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember, ErrorCodes.ForbiddenScope);
        files.MapGet("/files", (string roomId, int? limit, string? cursor, HttpContext http, RoomFileService s, CancellationToken ct) =>
                s.ListAsync(http.Caller(), roomId, limit, cursor, ct))
            .WithName("ListRoomFiles").WithSummary("The latest version of every path, with its status.").RateLimited("room-read");
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

    private static async Task<Created<RoomFileView>> WriteAsync(string roomId, string? path, WriteRoomFileRequest request, HttpContext http,
        RoomFileService s, CancellationToken ct)
    {
        var file = await s.WriteAsync(http.Caller(), roomId, path, request, ct);
        return TypedResults.Created($"/v1/rooms/{roomId}/files/{Uri.EscapeDataString(file.Path).Replace("%2F", "/", StringComparison.Ordinal)}?version={file.Version}", file);
    }

    private static async Task<IResult> ReadAsync(string roomId, string? path, long? version, HttpContext http, RoomFileService s, CancellationToken ct)
    {
        var file = await s.FindAsync(http.Caller(), roomId, path, version, ct);
        return FileHttp.Download(file, s.OpenRead(file));
    }

    private static async Task<NoContent> DeleteAsync(string roomId, string? path, HttpContext http, RoomFileService s, CancellationToken ct)
    {
        await s.DeleteAsync(http.Caller(), roomId, path, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Created<RoomUploadCreated>> UploadAsync(string roomId, CreateRoomUploadRequest request, HttpContext http,
        RoomFileService s, IOptions<ParleyOptions> options, CancellationToken ct)
    {
        var created = await s.CreateUploadAsync(http.Caller(), roomId, request, PublicUrls.Base(http, options.Value), ct);
        return TypedResults.Created($"/v1/files/{created.FileId}", created);
    }
}
