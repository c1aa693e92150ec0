using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Wake;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.Jobs;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Wake.Schedules;

internal static class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/v1/workspaces/{workspaceId}/agents/{agent}/schedules").WithTags("Runs").RequireOwner()
            .ProducesErrors(ErrorCodes.AgentNotFound);
        schedules.MapPost("", CreateAsync).WithName("CreateSchedule").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Start runs of the agent on a cron schedule, in a time zone.");
        schedules.MapGet("", ListAsync).WithName("ListSchedules").RequireWorkspaceRole(Roles.Member).WithSummary("The agent's schedules.");
        schedules.MapGet("/{scheduleId}", GetAsync).WithName("GetSchedule").RequireWorkspaceRole(Roles.Member).WithSummary("One schedule.")
            .ProducesErrors(ErrorCodes.NotFound);
        schedules.MapPatch("/{scheduleId}", UpdateAsync).WithName("UpdateSchedule").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Change a schedule (its next occurrence is computed again).").ProducesErrors(ErrorCodes.NotFound);
        schedules.MapDelete("/{scheduleId}", DeleteAsync).WithName("DeleteSchedule").RequireWorkspaceRole(Roles.Admin)
            .WithSummary("Remove a schedule.").ProducesErrors(ErrorCodes.NotFound);
        return app;
    }

    private static async Task<Created<ScheduleView>> CreateAsync(string agent, CreateScheduleRequest request, Caller caller, WorkspaceAccess access,
        ScheduleService s, CancellationToken ct)
    {
        var created = await s.CreateAsync(caller, access.Workspace, agent, request, ct);
        return TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/agents/{agent}/schedules/{created.Id}", created);
    }

    private static async Task<Ok<ScheduleList>> ListAsync(string agent, WorkspaceAccess access, ScheduleService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(access.Workspace, agent, ct));

    private static async Task<Ok<ScheduleView>> GetAsync(string agent, string scheduleId, WorkspaceAccess access, ScheduleService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(access.Workspace, agent, scheduleId, ct));

    private static async Task<Ok<ScheduleView>> UpdateAsync(string agent, string scheduleId, UpdateScheduleRequest request, WorkspaceAccess access,
        ScheduleService s, CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateAsync(access.Workspace, agent, scheduleId, request, ct));

    private static async Task<NoContent> DeleteAsync(string agent, string scheduleId, WorkspaceAccess access, ScheduleService s, CancellationToken ct)
    {
        await s.DeleteAsync(access.Workspace, agent, scheduleId, ct);
        return TypedResults.NoContent();
    }
}

/// <summary>Fires the schedules whose occurrence has come. One node at a time.</summary>
internal sealed class ScheduleJob(ScheduleService schedules) : IBackgroundJob
{
    public string Name => "schedules";
    public TimeSpan Interval => TimeSpan.FromSeconds(15);
    public Task<int> RunAsync(CancellationToken cancellationToken) => schedules.FireDueAsync(cancellationToken);
}
