using Microsoft.Extensions.Options;
using Parley.Contracts.Governance;
using Parley.Server.Governance;
using Parley.Server.Platform;
using Parley.Server.Platform.Jobs;

namespace Parley.Server.Files;

/// <summary>
/// The file store of conventions.md, which messaging (attachments) and rooms (room files) share: metadata in
/// <c>files</c>, bytes in an <see cref="IBlobStore"/> (a local folder under the data directory by default), signed
/// single-use uploads, verification or quarantine, safe downloads, and clean-up. The module that owns a purpose
/// decides who sees its files (<see cref="IFileAccessPolicy"/>).
/// </summary>
internal static class FilesModule
{
    public static WebApplicationBuilder AddFiles(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.Get<ParleyOptions>() ?? new ParleyOptions();
        var folder = Path.Combine(Path.GetFullPath(options.Storage.DataDirectory), "files");
        builder.Services.AddSingleton<IBlobStore>(new LocalBlobStore(folder));
        builder.Services.AddScoped<FileStore>();
        builder.Services.AddScoped<FileVisibility>();
        builder.Services.AddScoped<IWorkspaceCount, StorageGauge>();
        builder.Services.AddBackgroundJob<FileCleanupJob>();
        return builder;
    }

    public static WebApplication MapFiles(this WebApplication app)
    {
        app.MapFileUploads();
        app.MapFileRoutes();
        if (app.Services.GetRequiredService<IOptions<ParleyOptions>>().Value.Testing.FaultHooks)
        {
            app.MapFileTestHooks();
        }
        return app;
    }
}

/// <summary>Deletes pending uploads after 24 hours and quarantined files after 7 days.</summary>
internal sealed class FileCleanupJob(FileStore files) : IBackgroundJob
{
    public string Name => "file-cleanup";
    public TimeSpan Interval => TimeSpan.FromMinutes(10);
    public Task<int> RunAsync(CancellationToken cancellationToken) => files.CleanupAsync(cancellationToken);
}

/// <summary>The <c>storage_bytes</c> gauge: what a workspace's files hold now (the quota <see cref="FileStore"/> enforces).</summary>
internal sealed class StorageGauge(FileStore files) : IWorkspaceCount
{
    public string Name => Meters.StorageBytes;
    public Task<long> CountAsync(string workspaceId, CancellationToken ct) => files.StoredBytesAsync(FileStore.WorkspaceQuota(workspaceId), ct);
}
