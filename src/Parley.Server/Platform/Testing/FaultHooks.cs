using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Parley.Server.Data;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform.RateLimiting;

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
        var group = Routes(app);
        group.MapGet("/fault/internal", Throw);
        group.MapPost("/fault/internal", Throw);
        group.MapPost("/release/{name}", Release);
        group.MapGet("/holds/{name}", Waiting);
        group.MapGet("/limited", Limited).RateLimited("test-hook");
        group.MapPost("/jobs/{name}", RunJobAsync);
        return app;
    }

    /// <summary>The <c>/_test</c> group, out of the OpenAPI document; modules add their own hooks to it.</summary>
    public static RouteGroupBuilder Routes(IEndpointRouteBuilder app) => app.MapGroup("/_test").WithTags("Testing").ExcludeFromDescription();

    /// <summary>Keeps the calling request "running" until a test posts <c>/_test/release/{name}</c>.</summary>
    public static async Task WaitForReleaseAsync(string name, CancellationToken ct)
    {
        var gate = Hold(name);
        Interlocked.Increment(ref gate.Waiting);
        await gate.Released.Task.WaitAsync(ct);
    }

    private static HoldGate Hold(string name) => Holds.GetOrAdd(name, _ => new HoldGate());

    private sealed class HoldGate
    {
        public readonly TaskCompletionSource Released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Waiting;
    }

    private static IResult Throw() =>
        throw new InvalidOperationException("fault hook: connection string Host=secret-db;Password=hunter2 at /srv/internal/path");

    private static NoContent Release(string name)
    {
        Hold(name).Released.TrySetResult();
        return TypedResults.NoContent();
    }

    private static Ok<TestCount> Waiting(string name) => TypedResults.Ok(new TestCount(Hold(name).Waiting));

    private static Ok<TestCount> Limited() => TypedResults.Ok(new TestCount(1));

    private static async Task<Ok<TestJobRun>> RunJobAsync(string name, JobScheduler scheduler, CancellationToken ct) =>
        TypedResults.Ok(new TestJobRun(name, await scheduler.RunIfDueAsync(name, force: true, ct)));
}

internal sealed record TestCount(int Count);

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
