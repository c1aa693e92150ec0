using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Wake;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Wake.Runs;

internal static class RunEndpoints
{
    public static IEndpointRouteBuilder MapRuns(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/agents/{agent}/runs", StartAsync).WithTags("Runs").RequireOwnerOrAgent().WithName("StartRun")
            .WithSummary("Start a run of an agent now (reason manual): its owner, or an agent sharing a room with it (another owner's needs invoke and consent).")
            .ProducesErrors(ErrorCodes.AgentNotFound, ErrorCodes.AgentAlreadyRunning, ErrorCodes.ContentTooLarge, ErrorCodes.QuotaExceeded, ErrorCodes.NoCredits,
                ErrorCodes.NoGrant, ErrorCodes.ConstrainedRuntimeRequired);

        var runs = app.MapGroup("/v1/runs/{runId}").WithTags("Runs").RequireOwner().ProducesErrors(ErrorCodes.NotFound);
        runs.MapGet("", GetAsync).WithName("GetRun").WithSummary("One run.");
        runs.MapPost("/cancel", CancelAsync).WithName("CancelRun")
            .WithSummary("Cancel a run: a queued one at once, a dispatched or running one once its device stops it.")
            .ProducesErrors(ErrorCodes.RunNotCancellable);

        var device = app.MapGroup("/v1/runs/{runId}").WithTags("Runs").RequireDevice().ProducesErrors(ErrorCodes.NotFound, ErrorCodes.Conflict);
        device.MapPost("/accept", AcceptAsync).WithName("AcceptRun")
            .WithSummary("The device takes a run dispatched to it: a passport for the run's agent, valid while the run lasts.");
        device.MapPost("/heartbeat", HeartbeatAsync).WithName("RunHeartbeat")
            .WithSummary("The run is alive; a passport within 5 minutes of expiry is renewed.");
        device.MapPost("/finish", FinishAsync).WithName("FinishRun").WithSummary("How the run ended.");

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

    private static async Task<Ok<AcceptedRun>> AcceptAsync(string runId, Caller caller, HttpContext http, IOptions<ParleyOptions> options, DeviceRunService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.AcceptAsync(caller, runId, PublicUrls.Base(http, options.Value), ct));

    private static async Task<Ok<HeartbeatAnswer>> HeartbeatAsync(string runId, Caller caller, DeviceRunService s, CancellationToken ct) =>
        TypedResults.Ok(await s.HeartbeatAsync(caller, runId, ct));

    private static async Task<Ok<RunView>> FinishAsync(string runId, FinishRunRequest request, Caller caller, DeviceRunService s, CancellationToken ct) =>
        TypedResults.Ok(await s.FinishAsync(caller, runId, request, ct));

    private static async Task<Ok<Page<RunView>>> ListAsync(string? agent,
        [AllowedValues("queued", "dispatched", "running", "cancelling", "succeeded", "failed", "cancelled", "timed_out", "expired", "skipped")] string? status,
        [AllowedValues("mention", "task_assigned", "direct_message", "manual", "webhook", "schedule")] string? reason,
        [Range(1, Paging.MaxLimit)] int? limit, string? cursor, WorkspaceAccess access, RunService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, agent, status, reason, limit, cursor, ct));
}

/// <summary>The runs' clocks: queue expiry, heartbeat lapse, maximum duration (<see cref="RunService.ApplyClocksAsync"/>). One node at a time.</summary>
internal sealed class RunClockJob(RunService runs) : Platform.Jobs.IBackgroundJob
{
    public string Name => "run-clocks";
    public TimeSpan Interval => TimeSpan.FromSeconds(15);
    public Task<int> RunAsync(CancellationToken cancellationToken) => runs.ApplyClocksAsync(cancellationToken);
}
