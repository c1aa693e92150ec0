using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Wake;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Wake.Runs;

internal static class RunEndpoints
{
    public static IEndpointRouteBuilder MapRuns(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/agents/{agent}/runs", StartAsync).WithTags("Runs").RequireOwner().WithName("StartRun")
            .WithSummary("Start a run of an agent now (reason manual).")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.AgentAlreadyRunning, ErrorCodes.ContentTooLarge, ErrorCodes.QuotaExceeded, ErrorCodes.NoCredits);

        var runs = app.MapGroup("/v1/runs/{runId}").WithTags("Runs").RequireOwner().ProducesErrors(ErrorCodes.NotFound);
        runs.MapGet("", GetAsync).WithName("GetRun").WithSummary("One run.");
        runs.MapPost("/cancel", CancelAsync).WithName("CancelRun")
            .WithSummary("Cancel a run: a queued one at once, a dispatched or running one once its device stops it.")
            .ProducesErrors(ErrorCodes.RunNotCancellable);

        app.MapGet("/v1/workspaces/{workspaceId}/runs", ListAsync).WithTags("Runs").RequireOwner().RequireWorkspaceRole(Roles.Member)
            .WithName("ListRuns").WithSummary("The workspace's runs, newest first.").ProducesErrors(ErrorCodes.AgentNotFound);
        return app;
    }

    private static async Task<Created<RunView>> StartAsync(string agent, StartRunRequest? request, Caller caller, RunService s, CancellationToken ct)
    {
        var run = await s.StartManualAsync(caller, agent, request, ct);
        return TypedResults.Created($"/v1/runs/{run.Id}", run);
    }

    private static async Task<Ok<RunView>> GetAsync(string runId, Caller caller, RunService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(caller, runId, ct));

    private static async Task<Ok<RunView>> CancelAsync(string runId, Caller caller, RunService s, CancellationToken ct) =>
        TypedResults.Ok(await s.CancelAsync(caller, runId, ct));

    private static async Task<Ok<Page<RunView>>> ListAsync(string? agent,
        [AllowedValues("queued", "dispatched", "running", "cancelling", "succeeded", "failed", "cancelled", "timed_out", "expired", "skipped")] string? status,
        [AllowedValues("mention", "task_assigned", "direct_message", "manual", "webhook", "schedule")] string? reason,
        [Range(1, Paging.MaxLimit)] int? limit, string? cursor, WorkspaceAccess access, RunService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, agent, status, reason, limit, cursor, ct));
}

/// <summary>Ends runs no device took within <c>Wake:QueueSeconds</c>. One node at a time.</summary>
internal sealed class RunExpiryJob(RunService runs) : Platform.Jobs.IBackgroundJob
{
    public string Name => "run-expiry";
    public TimeSpan Interval => TimeSpan.FromSeconds(30);
    public Task<int> RunAsync(CancellationToken cancellationToken) => runs.ExpireQueuedAsync(cancellationToken);
}
