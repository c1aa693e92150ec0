using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Files;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;
using Parley.Server.Platform;
using Parley.Server.Rooms.Membership;

namespace Parley.Server.Rooms.Files;

/// <summary>
/// A room's files on the shared <see cref="FileStore"/> (purpose <c>room</c>, counted against the room workspace's
/// storage): small files written inline, large ones uploaded and verified first. Writing a path again adds a version.
/// </summary>
internal sealed class RoomFileService(Writes writes, RoomAccess access, FileStore files, IOptions<RoomsOptions> options)
{
    public const string Purpose = "room";
    private ParleyDb Db => writes.Db;
    private RoomLimits Limits => options.Value.Limits;

    public static string QuotaOwner(Room room) => FileStore.WorkspaceQuota(room.OwnerWorkspaceId);

    public async Task<RoomFileView> WriteAsync(Caller caller, string roomId, string? path, WriteRoomFileRequest request, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsureAgentCanWrite();
        var v = new Validator();
        if (RoomPaths.Check(path) is { } problem)
        {
            v.Add("path", problem);
        }
        if (request.Content is null)
        {
            v.Add("content", "is required");
        }
        var encoding = request.Encoding ?? "utf-8";
        v.OneOf("encoding", encoding, "utf-8", "base64");
        FileStore.CheckContentType(v, request.ContentType);
        v.ThrowIfInvalid();
        byte[] bytes;
        try
        {
            bytes = encoding == "base64" ? Convert.FromBase64String(request.Content!) : Encoding.UTF8.GetBytes(request.Content!);
        }
        catch (FormatException)
        {
            throw ApiErrors.Validation("content", "is not valid base64");
        }
        if (bytes.Length > Limits.RoomInlineFileMaxBytes)
        {
            throw ApiErrors.TooLarge(Limits.RoomInlineFileMaxBytes, "Inline files are limited; upload larger ones (POST /v1/rooms/{id}/uploads).");
        }
        var contentType = request.ContentType ?? (encoding == "base64" ? "application/octet-stream" : "text/plain; charset=utf-8");
        var (entry, file) = await writes.RunAsync(async c =>
        {
            var version = await NextVersionAsync(roomId, path!, c);
            var file = await files.CreateInlineAsync(new NewFile(Purpose, QuotaOwner(scope.Room), scope.Principal, RoomPaths.FileName(path!),
                contentType, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes))), bytes, c);
            return (AddEntry(roomId, path!, version, file, scope.Principal), file);
        }, ct);
        return (await RoomFileViews.FilesAsync(Db, [(entry, file)], ct))[0];
    }

    public async Task<RoomUploadCreated> CreateUploadAsync(Caller caller, string roomId, CreateRoomUploadRequest request, string publicBaseUrl, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsureAgentCanWrite();
        var v = new Validator();
        if (RoomPaths.Check(request.Path) is { } problem)
        {
            v.Add("path", problem);
        }
        var contentType = v.Required("content_type", request.ContentType);
        FileStore.CheckContentType(v, request.ContentType);
        v.Required("size_bytes", request.SizeBytes);
        v.Range("size_bytes", request.SizeBytes, 0, long.MaxValue);
        var sha = v.Required("sha256", request.Sha256);
        FileStore.CheckSha256(v, sha);
        v.ThrowIfInvalid();
        if (request.SizeBytes > Limits.RoomUploadMaxBytes)
        {
            throw ApiErrors.TooLarge(Limits.RoomUploadMaxBytes, "The file is larger than uploads allow.");
        }
        var path = request.Path!;
        var (created, version) = await writes.RunAsync(async c =>
        {
            var version = await NextVersionAsync(roomId, path, c);
            var created = await files.CreateAsync(new NewFile(Purpose, QuotaOwner(scope.Room), scope.Principal, RoomPaths.FileName(path), contentType,
                request.SizeBytes!.Value, sha), publicBaseUrl, c);
            AddEntry(roomId, path, version, created.File, scope.Principal);
            return (created, version);
        }, ct);
        return new RoomUploadCreated(created.File.Id, created.UploadUrl, created.ExpiresIn, path, version);
    }


    /// <summary>Under the path's lock (so two writers never take one version number): the next version of the path.</summary>
    private async Task<long> NextVersionAsync(string roomId, string path, CancellationToken c)
    {
        await writes.LockAsync(c, LockKeys.RoomFile(roomId, path));
        return (await Db.RoomFiles.Where(f => f.RoomId == roomId && f.Path == path).MaxAsync(f => (long?)f.Version, c) ?? 0) + 1;
    }

    private RoomFile AddEntry(string roomId, string path, long version, StoredFile file, string by)
    {
        var entry = new RoomFile { RoomId = roomId, Path = path, Version = version, FileId = file.Id, UpdatedBy = by, CreatedAt = file.CreatedAt };
        Db.RoomFiles.Add(entry);
        return entry;
    }

    /// <summary>The latest version of every path (pending and quarantined ones included, with their status), by path.</summary>
    public async Task<Page<RoomFileView>> ListAsync(Caller caller, string roomId, int? limit, string? cursor, CancellationToken ct)
    {
        await access.OpenAsync(caller, roomId, ct);
        var paging = Paging.From(limit, cursor);
        var live = Live(roomId);
        var rows = await live
            .Where(f => (paging.After == null || string.Compare(f.Path, paging.After) > 0) && !live.Any(g => g.Path == f.Path && g.Version > f.Version))
            .Join(FileStore.All(Db), f => f.FileId, s => s.Id, (f, s) => new { Entry = f, File = s })
            .OrderBy(r => r.Entry.Path).Take(paging.Limit + 1)
            .ToListAsync(ct);
        var (items, next) = paging.Cut(rows, r => r.Entry.Path);
        return new Page<RoomFileView>(await RoomFileViews.FilesAsync(Db, [.. items.Select(r => (r.Entry, r.File))], ct), next);
    }

    /// <summary>Versions whose bytes still exist (the store deletes stale uploads on its own).</summary>
    private IQueryable<RoomFile> Live(string roomId)
    {
        var files = FileStore.All(Db);
        return Db.RoomFiles.AsNoTracking().Where(f => f.RoomId == roomId && files.Any(s => s.Id == f.FileId && s.Status != StoredFile.Deleted));
    }

    /// <summary>A version's file (the latest when none is named); its bytes only once uploaded and verified.</summary>
    public async Task<StoredFile> FindAsync(Caller caller, string roomId, string? path, long? version, CancellationToken ct)
    {
        await access.OpenAsync(caller, roomId, ct);
        var checkedPath = RoomPaths.Validate(path);
        var entry = await Live(roomId).Where(f => f.Path == checkedPath && (version == null || f.Version == version))
            .OrderByDescending(f => f.Version).FirstOrDefaultAsync(ct)
            ?? throw new ApiException(ErrorCodes.NotFound, "No such file in this room.");
        return await FileStore.All(Db).FirstAsync(f => f.Id == entry.FileId, ct);
    }

    public Stream OpenRead(StoredFile file) => files.OpenRead(file);

    /// <summary>Removes every version of a path; the store deletes their bytes once this commits.</summary>
    public async Task DeleteAsync(Caller caller, string roomId, string? path, CancellationToken ct)
    {
        var scope = await access.OpenAsync(caller, roomId, ct);
        scope.EnsureAgentCanWrite();
        var checkedPath = RoomPaths.Validate(path);
        await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.RoomFile(roomId, checkedPath));
            var fileIds = await Db.RoomFiles.Where(f => f.RoomId == roomId && f.Path == checkedPath).Select(f => f.FileId).ToListAsync(c);
            if (fileIds.Count == 0)
            {
                throw new ApiException(ErrorCodes.NotFound, "No such file in this room.");
            }
            await Db.RoomFiles.Where(f => f.RoomId == roomId && f.Path == checkedPath).ExecuteDeleteAsync(c);
            await files.DeleteAsync(fileIds, c);
        }, ct);
    }
}

/// <summary>Files of purpose <c>room</c>: whoever can see the file's room can see the file.</summary>
internal sealed class RoomFileAccessPolicy(ParleyDb db, RoomAccess access) : IFileAccessPolicy
{
    public string Purpose => RoomFileService.Purpose;

    public async Task<bool> CanSeeAsync(Caller caller, StoredFile file, CancellationToken ct) =>
        await db.RoomFiles.AsNoTracking().Where(f => f.FileId == file.Id).Select(f => f.RoomId).FirstOrDefaultAsync(ct) is { } roomId
        && await access.CanSeeAsync(caller, roomId, ct);
}

/// <summary>Room files in wire shape. Actors are read in one batch per call.</summary>
internal static class RoomFileViews
{
    public static async Task<List<RoomFileView>> FilesAsync(ParleyDb db, IReadOnlyList<(RoomFile Entry, StoredFile File)> files, CancellationToken ct)
    {
        var actors = await Principals.ResolveAsync(db, files.Select(f => f.Entry.UpdatedBy), ct);
        return [.. files.Select(f => new RoomFileView(f.Entry.Path, f.Entry.Version, f.File.SizeBytes, f.File.Sha256, f.File.ContentType,
            f.File.Status, actors[f.Entry.UpdatedBy], Clock.Time(f.Entry.CreatedAt), f.File.Id))];
    }
}
