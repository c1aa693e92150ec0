using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Parley.Server.Data;
using Parley.Server.Platform.Files;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Platform.Testing;

/// <summary>
/// Test-only hooks, present only when <c>Testing:FaultHooks</c> is true (never by default). A request may carry
/// <c>X-Test-Fault</c>: <c>database-unavailable</c> makes every database connection of that request fail the way an
/// unreachable database does; <c>abort-after-commit</c> drops the connection after the request's writes committed,
/// as a crash between action and response would. Routes under <c>/_test</c> reach the rest.
/// </summary>
internal static class FaultHooks
{
    public const string Header = "X-Test-Fault";
    private static readonly ConcurrentDictionary<string, HoldGate> Holds = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<string?> Current = new();

    public static string? ActiveFault => Current.Value;

    public static IApplicationBuilder UseFaultHeader(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var fault = context.Request.Headers[Header].ToString();
        Current.Value = string.IsNullOrEmpty(fault) ? null : fault;
        try
        {
            await next(context);
            if (fault == "abort-after-commit")
            {
                context.Abort();
            }
        }
        finally
        {
            Current.Value = null;
        }
    });

    public static IEndpointRouteBuilder MapFaultHooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/_test").WithTags("Testing").ExcludeFromDescription();
        group.MapGet("/fault/internal", Throw);
        group.MapPost("/fault/internal", Throw);
        group.MapPost("/files", CreateFileAsync);
        group.MapGet("/files", async ([Microsoft.AspNetCore.Mvc.FromQuery(Name = "quota_owner")] string quotaOwner, ParleyDb db, CancellationToken ct) =>
            TypedResults.Ok(new TestCount(await db.Files.CountAsync(f => f.QuotaOwner == quotaOwner, ct))));
        group.MapPost("/release/{name}", (string name) =>
        {
            Hold(name).Released.TrySetResult();
            return TypedResults.NoContent();
        });
        group.MapGet("/holds/{name}", (string name) => TypedResults.Ok(new TestCount(Hold(name).Waiting)));
        group.MapGet("/limited", () => TypedResults.Ok(new TestCount(1))).RateLimited("test-hook");
        group.MapPost("/files/{id}/complete", async (string id, FileStore files, CancellationToken ct) =>
        {
            var file = await files.FindAsync(id, ct) ?? throw Errors.ApiErrors.NotFound();
            if (file.Status == StoredFile.PendingUpload)
            {
                FileStore.EnsureUploaded(file);
            }
            return TypedResults.Ok(new TestFileView(file.Id, file.Status, file.SizeBytes, file.Sha256, file.ContentType));
        });
        group.MapGet("/files/{id}", async (string id, FileStore files, CancellationToken ct) =>
        {
            var file = await files.FindAsync(id, ct) ?? throw Errors.ApiErrors.NotFound();
            return TypedResults.Ok(new TestFileView(file.Id, file.Status, file.SizeBytes, file.Sha256, file.ContentType));
        });
        group.MapGet("/files/{id}/content", async (string id, FileStore files, CancellationToken ct) =>
        {
            var file = await files.FindAsync(id, ct) ?? throw Errors.ApiErrors.NotFound();
            return FileHttp.Download(file, files.OpenRead(file));
        });
        group.MapPost("/jobs/{name}", async (string name, JobScheduler scheduler, CancellationToken ct) =>
            TypedResults.Ok(new TestJobRun(name, await scheduler.RunIfDueAsync(name, force: true, ct))));
        return app;
    }

    private static HoldGate Hold(string name) => Holds.GetOrAdd(name, _ => new HoldGate());

    private sealed class HoldGate
    {
        public readonly TaskCompletionSource Released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Waiting;
    }

    private static IResult Throw() =>
        throw new InvalidOperationException("fault hook: connection string Host=secret-db;Password=hunter2 at /srv/internal/path");

    private static async Task<IResult> CreateFileAsync(TestFileRequest request, HttpContext context, FileStore files, Microsoft.Extensions.Options.IOptions<ParleyOptions> options, CancellationToken ct)
    {
        if (request.Hold is { } hold)
        {
            // Lets a test keep this request "running" until it posts /_test/release/{hold}.
            var gate = Hold(hold);
            Interlocked.Increment(ref gate.Waiting);
            await gate.Released.Task.WaitAsync(ct);
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
}

internal sealed record TestFileRequest(string? QuotaOwner, long? SizeBytes, string? Sha256, string? ContentType, string? Filename, string? Hold);

internal sealed record TestCount(int Count);

internal sealed record TestFileCreated(string FileId, string UploadUrl, int ExpiresIn);

internal sealed record TestFileView(string Id, string Status, long SizeBytes, string Sha256, string ContentType);

internal sealed record TestJobRun(string Name, int? Handled);

/// <summary>Fails database connections of a request that asked for <c>database-unavailable</c>.</summary>
internal sealed class FaultInterceptor : DbConnectionInterceptor
{
    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        ThrowIfArmed();
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        ThrowIfArmed();
        return ValueTask.FromResult(result);
    }

    private static void ThrowIfArmed()
    {
        if (FaultHooks.ActiveFault == "database-unavailable")
        {
            throw new DatabaseUnavailableException("Injected by the test fault hook.");
        }
    }
}
