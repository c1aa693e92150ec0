using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Validation;
using Parley.Server.Platform;

namespace Parley.Server.Files;

/// <summary>What a module asks the store to create.</summary>
internal sealed record NewFile(string Purpose, string QuotaOwner, string CreatedBy, string? Filename, string ContentType, long SizeBytes, string Sha256);

internal sealed record CreatedUpload(StoredFile File, string UploadUrl, int ExpiresIn);

/// <summary>
/// The file store of conventions.md, shared by messaging and rooms: creation against a quota, the signed single-use
/// upload with verification (size and SHA-256) or quarantine, inline writes, reads, deletion and clean-up.
/// Who may see a file is the owning module's rule; this service only knows files.
/// </summary>
internal sealed class FileStore(
    Writes writes, IBlobStore blobs, Ids ids, TimeProvider time, MasterKey masterKey, IOptions<ParleyOptions> options, ILogger<FileStore> logger)
{
    private ParleyDb Db => writes.Db;
    private PlatformLimits Limits => options.Value.Limits;

    private const string WorkspaceQuotaPrefix = "ws:";

    /// <summary>The quota owner for files counted against a workspace's storage.</summary>
    public static string WorkspaceQuota(string workspaceId) => WorkspaceQuotaPrefix + workspaceId;

    /// <summary>The quota owner for files of an agent no workspace owns.</summary>
    public static string AgentQuota(string agentId) => "agent:" + agentId;

    private static readonly System.Text.RegularExpressions.Regex MediaType = new(Parley.Contracts.Patterns.MediaType, System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>A declared media type (<see cref="Parley.Contracts.Patterns.MediaType"/>, the document's pattern), of at most 200 characters.</summary>
    public static void CheckContentType(Validator v, string? contentType)
    {
        // .NET's $ also matches before a final newline; the document's (ECMA) $ does not.
        if (contentType is not null && (contentType.Length > 200 || contentType.EndsWith('\n') || !MediaType.IsMatch(contentType)))
        {
            v.Add("content_type", "must be a media type such as text/plain");
        }
    }

    /// <summary>A declared SHA-256: 64 hexadecimal characters (the upload is verified against it).</summary>
    public static void CheckSha256(Validator v, string? sha256)
    {
        if (!string.IsNullOrEmpty(sha256) && (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit)))
        {
            v.Add("sha256", "must be 64 hexadecimal characters");
        }
    }

    /// <summary>
    /// Creates a file awaiting its bytes, after checking the quota owner's storage under its lock (exact with several
    /// nodes). Runs in the caller's transaction when there is one, so a module's own row commits with it.
    /// </summary>
    public async Task<CreatedUpload> CreateAsync(NewFile spec, string publicBaseUrl, CancellationToken cancellationToken)
    {
        var file = await writes.RunAsync(async ct =>
        {
            await EnsureQuotaAsync(spec.QuotaOwner, spec.SizeBytes, ct);
            var now = Now();
            var created = new StoredFile
            {
                Id = ids.New("file"), Purpose = spec.Purpose, QuotaOwner = spec.QuotaOwner, CreatedBy = spec.CreatedBy,
                Filename = spec.Filename, ContentType = spec.ContentType, SizeBytes = spec.SizeBytes, Sha256 = spec.Sha256.ToLowerInvariant(),
                Status = StoredFile.PendingUpload, UploadExpiresAt = now + (Limits.UploadUrlTtlSeconds * 1000L), CreatedAt = now, UpdatedAt = now,
            };
            Db.Files.Add(created);
            return created;
        }, cancellationToken);
        return new CreatedUpload(file, UploadUrl(publicBaseUrl, file), Limits.UploadUrlTtlSeconds);
    }

    /// <summary>Stores small content given inline: verified at once, so the file is <c>uploaded</c> when this returns.</summary>
    public async Task<StoredFile> CreateInlineAsync(NewFile spec, byte[] content, CancellationToken cancellationToken)
    {
        var id = ids.New("file");
        await using (var staging = blobs.CreateStaging(id))
        {
            await staging.WriteAsync(content, cancellationToken);
            await staging.FlushAsync(cancellationToken);
            if (staging is FileStream fs)
            {
                fs.Flush(flushToDisk: true);
            }
        }
        blobs.Commit(id);
        try
        {
            return await writes.RunAsync(async ct =>
            {
                await EnsureQuotaAsync(spec.QuotaOwner, content.Length, ct);
                var now = Now();
                var file = new StoredFile
                {
                    Id = id, Purpose = spec.Purpose, QuotaOwner = spec.QuotaOwner, CreatedBy = spec.CreatedBy, Filename = spec.Filename,
                    ContentType = spec.ContentType, SizeBytes = content.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
                    Status = StoredFile.Uploaded, CreatedAt = now, UpdatedAt = now,
                };
                Db.Files.Add(file);
                return file;
            }, cancellationToken);
        }
        catch
        {
            blobs.Delete(id);
            throw;
        }
    }

    /// <summary>
    /// Receives the bytes of a signed upload. The URL is checked, then claimed (single use), the bytes are staged while
    /// hashed, and the file becomes <c>uploaded</c> when size and SHA-256 match what was declared, else <c>quarantined</c>.
    /// A transfer that breaks off frees the URL again until it expires.
    /// </summary>
    public async Task<StoredFile> ReceiveAsync(string fileId, long expires, string signature, Stream body, CancellationToken cancellationToken)
    {
        if (!Secrets.FixedTimeEquals(Sign(fileId, expires), signature))
        {
            throw ApiErrors.Forbidden("upload_url_invalid", "This upload URL is not valid.");
        }
        if (expires <= Now() / 1000)
        {
            throw ApiErrors.Forbidden("upload_url_expired", "This upload URL has expired; create the file again.");
        }
        var claimed = await writes.RunAsync(ct => Db.Files
            .Where(f => f.Id == fileId && f.Status == StoredFile.PendingUpload && !f.UploadClaimed)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.UploadClaimed, true), ct), cancellationToken);
        if (claimed == 0)
        {
            throw ApiErrors.Conflict("This upload URL was already used.");
        }
        var file = await Db.Files.AsNoTracking().FirstAsync(f => f.Id == fileId, cancellationToken);

        long received;
        string actualSha;
        try
        {
            (received, actualSha) = await StageAsync(file, body, cancellationToken);
        }
        catch
        {
            blobs.DiscardStaging(fileId);
            await writes.RunAsync(ct => Db.Files.Where(f => f.Id == fileId)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.UploadClaimed, false), ct), CancellationToken.None);
            throw;
        }

        var verified = received == file.SizeBytes && actualSha == file.Sha256;
        blobs.Commit(fileId);
        var status = verified ? StoredFile.Uploaded : StoredFile.Quarantined;
        if (!verified)
        {
            logger.LogWarning("File {FileId} quarantined: received {Received} bytes, declared {Declared}; hash match {HashMatch}",
                fileId, received, file.SizeBytes, actualSha == file.Sha256);
        }
        var now = Now();
        await writes.RunAsync(ct => Db.Files.Where(f => f.Id == fileId).ExecuteUpdateAsync(s => s
            .SetProperty(f => f.Status, status)
            .SetProperty(f => f.UpdatedAt, now), ct), cancellationToken);
        file.Status = status;
        file.UpdatedAt = now;
        return file;
    }

    /// <summary>Every file (deleted ones too: filter on <see cref="StoredFile.Status"/>), untracked: for modules that join their rows to files.</summary>
    public static IQueryable<StoredFile> All(ParleyDb db) => db.Files.AsNoTracking();

    public Task<StoredFile?> FindAsync(string fileId, CancellationToken cancellationToken) =>
        Db.Files.AsNoTracking().FirstOrDefaultAsync(f => f.Id == fileId && f.Status != StoredFile.Deleted, cancellationToken);

    /// <summary><c>UPLOAD_NOT_COMPLETE {file_status}</c> unless the file's bytes arrived and matched.</summary>
    public static void EnsureUploaded(StoredFile file)
    {
        if (file.Status != StoredFile.Uploaded)
        {
            throw new ApiException(ErrorCodes.UploadNotComplete, "The file's bytes have not arrived and been verified.",
                ApiErrors.Details(("file_status", file.Status)));
        }
    }

    public Stream OpenRead(StoredFile file)
    {
        EnsureUploaded(file);
        return blobs.OpenRead(file.Id);
    }

    /// <summary>Marks files deleted (in the caller's transaction) and removes their bytes once that commits.</summary>
    public async Task DeleteAsync(IReadOnlyCollection<string> fileIds, CancellationToken cancellationToken)
    {
        if (fileIds.Count == 0)
        {
            return;
        }
        var now = Now();
        await writes.RunAsync(ct => Db.Files.Where(f => fileIds.Contains(f.Id)).ExecuteUpdateAsync(s => s
            .SetProperty(f => f.Status, StoredFile.Deleted)
            .SetProperty(f => f.UpdatedAt, now), ct), cancellationToken);
        writes.AfterCommit(() =>
        {
            foreach (var id in fileIds)
            {
                blobs.Delete(id);
            }
            return Task.CompletedTask;
        });
    }

    /// <summary>Deletes pending uploads older than 24 h and quarantined files older than 7 days (a background job).</summary>
    public async Task<int> CleanupAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        var pendingBefore = now - (Limits.PendingUploadRetentionHours * Clock.HourMs);
        var quarantinedBefore = now - (Limits.QuarantineRetentionDays * Clock.DayMs);
        var stale = await Db.Files.AsNoTracking()
            .Where(f => (f.Status == StoredFile.PendingUpload && f.CreatedAt <= pendingBefore)
                || (f.Status == StoredFile.Quarantined && f.UpdatedAt <= quarantinedBefore))
            .Select(f => f.Id)
            .Take(1000)
            .ToListAsync(cancellationToken);
        await DeleteAsync(stale, cancellationToken);
        return stale.Count;
    }

    /// <summary>The bytes counted against a quota owner: files awaiting their bytes or uploaded (the <c>storage_bytes</c> gauge).</summary>
    public Task<long> StoredBytesAsync(string quotaOwner, CancellationToken ct) =>
        Db.Files.Where(f => f.QuotaOwner == quotaOwner && (f.Status == StoredFile.PendingUpload || f.Status == StoredFile.Uploaded))
            .SumAsync(f => f.SizeBytes, ct);

    private async Task EnsureQuotaAsync(string quotaOwner, long addedBytes, CancellationToken ct)
    {
        var limit = quotaOwner.StartsWith(WorkspaceQuotaPrefix, StringComparison.Ordinal) ? Limits.StorageWorkspaceBytes : Limits.StorageUnownedAgentBytes;
        if (limit <= 0)
        {
            return;
        }
        await writes.LockAsync(ct, LockKeys.Storage(quotaOwner));
        var used = await StoredBytesAsync(quotaOwner, ct);
        if (used + addedBytes > limit)
        {
            throw new ApiException(ErrorCodes.FeatureLimitReached, "The storage quota does not allow this file.",
                ApiErrors.Details(("feature", "storage"), ("limit", limit), ("count", used)));
        }
    }

    private async Task<(long Received, string Sha256)> StageAsync(StoredFile file, Stream body, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long received = 0;
        await using (var staging = blobs.CreateStaging(file.Id))
        {
            int read;
            // Read at most one byte past the declared size: enough to know the upload does not match.
            while (received <= file.SizeBytes && (read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, file.SizeBytes + 1 - received)), ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await staging.WriteAsync(buffer.AsMemory(0, read), ct);
                received += read;
            }
            await staging.FlushAsync(ct);
            if (staging is FileStream fs)
            {
                fs.Flush(flushToDisk: true);
            }
        }
        return (received, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private string UploadUrl(string baseUrl, StoredFile file)
    {
        var expires = file.UploadExpiresAt / 1000;
        return string.Create(CultureInfo.InvariantCulture, $"{baseUrl}/v1/uploads/{file.Id}?expires={expires}&signature={Sign(file.Id, expires)}");
    }

    private string Sign(string fileId, long expires)
    {
        var mac = HMACSHA256.HashData(masterKey.Derive("upload-url"), System.Text.Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{fileId}.{expires}")));
        return System.Buffers.Text.Base64Url.EncodeToString(mac);
    }

    private long Now() => time.NowMs();
}
