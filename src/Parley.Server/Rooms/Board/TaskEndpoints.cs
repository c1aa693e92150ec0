using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Rooms.Board;

/// <summary>The task board and its leases.</summary>
internal static class TaskEndpoints
{
    public static IEndpointRouteBuilder MapBoard(this IEndpointRouteBuilder app)
    {
        var board = app.MapGroup("/v1/rooms/{roomId}/tasks").WithTags("Tasks").RequireOwnerOrAgent().ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        board.MapPost("", CreateAsync).WithName("CreateTask").RateLimited("room-write")
            .WithSummary("Add a task (201); assigning an agent mentions it, and another owner's agent needs invoke and that owner's grant.")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.ForbiddenScope, ErrorCodes.NoGrant, ErrorCodes.QuotaExceeded);
        board.MapGet("", ListAsync).WithName("ListTasks").WithSummary("The board, by order; filter by status and assignee (an agent, or none).")
            .RateLimited("room-read");

        var task = app.MapGroup("/v1/tasks/{taskId}").WithTags("Tasks").RequireOwnerOrAgent().ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        task.MapGet("", GetAsync).WithName("GetTask").WithSummary("One task (a lapse that is due is applied first).").RateLimited("room-read");
        task.MapPatch("", UpdateAsync).WithName("UpdateTask").WithSummary("Edit (the creator or a room admin); reassigning ends the current lease.")
            .RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.ForbiddenScope, ErrorCodes.NoGrant, ErrorCodes.Conflict,
                ErrorCodes.QuotaExceeded);
        task.MapDelete("", DeleteAsync).WithName("DeleteTask").WithSummary("Delete (the creator or a room admin).").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden);
        task.MapGet("/events", EventsAsync).WithName("TaskEvents").WithSummary("The task's append-only log.").RateLimited("room-read");
        task.MapPost("/claim", ClaimAsync).WithName("ClaimTask").WithSummary("Atomically todo → doing under a lease; the claim token is shown once.")
            .RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.NoGrant, ErrorCodes.TaskAlreadyClaimed, ErrorCodes.Conflict);
        task.MapPost("/renew", RenewAsync).WithName("RenewLease").WithSummary("Extend a live lease to now + its TTL.").RateLimited("lease-renew")
            .Produces<LeaseRenewed>().ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.ClaimStale);
        task.MapPost("/release", ReleaseAsync).WithName("ReleaseLease").WithSummary("Give the task back (todo).").RateLimited("room-write")
            .Produces<TaskView>().ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.ClaimStale);
        task.MapPost("/status", SetStatusAsync).WithName("SetTaskStatus")
            .WithSummary("The holder sets done, failed or blocked; people and the creator cancel or reopen.").RateLimited("room-write")
            .Produces<TaskView>().ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.ClaimStale, ErrorCodes.Conflict);
        task.MapPost("/accept", AcceptAsync).WithName("AcceptTask").WithSummary("The assignee's owner accepts a pending cross-owner task.")
            .RateLimited("room-write").ProducesErrors(ErrorCodes.Forbidden, ErrorCodes.Conflict);
        task.MapPost("/reject", RejectAsync).WithName("RejectTask")
            .WithSummary("The assignee's owner rejects a pending task; it returns to its creator unassigned.")
            .RateLimited("room-write").ProducesErrors(ErrorCodes.Forbidden, ErrorCodes.Conflict);
        return app;
    }

    private static async Task<Created<TaskView>> CreateAsync(string roomId, CreateTaskRequest request, Caller caller, TaskService s, CancellationToken ct)
    {
        var task = await s.CreateAsync(caller, roomId, request, ct);
        return TypedResults.Created($"/v1/tasks/{task.Id}", task);
    }

    private static async Task<Ok<Page<TaskView>>> ListAsync(string roomId,
        [AllowedValues(TaskState.Todo, TaskState.Doing, TaskState.Done, TaskState.Blocked, TaskState.Failed, TaskState.Cancelled)] string? status, string? assignee, [Range(1, Paging.MaxLimit)] int? limit, string? cursor, Caller caller,
        TaskService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(caller, roomId, status, assignee, limit, cursor, ct));

    private static async Task<Ok<TaskView>> GetAsync(string taskId, Caller caller, TaskService s, CancellationToken ct) =>
        TypedResults.Ok(await s.GetAsync(caller, taskId, ct));

    private static async Task<Ok<TaskView>> UpdateAsync(string taskId, UpdateTaskRequest request, Caller caller, TaskService s, CancellationToken ct) =>
        TypedResults.Ok(await s.UpdateAsync(caller, taskId, request, ct));

    private static async Task<NoContent> DeleteAsync(string taskId, Caller caller, TaskService s, CancellationToken ct)
    {
        await s.DeleteAsync(caller, taskId, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<Page<TaskEventView>>> EventsAsync(string taskId, [Range(1, Paging.MaxLimit)] int? limit, string? cursor, Caller caller, TaskService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.EventsAsync(caller, taskId, limit, cursor, ct));

    private static async Task<Ok<TaskClaimed>> ClaimAsync(string taskId, ClaimTaskRequest? request, Caller caller, TaskLeaseService s,
        CancellationToken ct) =>
        TypedResults.Ok(await s.ClaimAsync(caller, taskId, request ?? new ClaimTaskRequest(), ct));

    private static async Task<IResult> RenewAsync(string taskId, ClaimTokenRequest request, Caller caller, TaskLeaseService s, CancellationToken ct) =>
        Answer(await s.RenewAsync(caller, taskId, request, ct));

    private static async Task<IResult> ReleaseAsync(string taskId, ClaimTokenRequest request, Caller caller, TaskLeaseService s, CancellationToken ct) =>
        Answer(await s.ReleaseAsync(caller, taskId, request, ct));

    private static async Task<IResult> SetStatusAsync(string taskId, TaskStatusRequest request, Caller caller, TaskLeaseService s, CancellationToken ct) =>
        Answer(await s.SetStatusAsync(caller, taskId, request, ct));

    private static async Task<Ok<TaskView>> AcceptAsync(string taskId, Caller caller, TaskService s, CancellationToken ct) =>
        TypedResults.Ok(await s.AcceptAsync(caller, taskId, ct));

    private static async Task<Ok<TaskView>> RejectAsync(string taskId, RejectTaskRequest? request, Caller caller, TaskService s, CancellationToken ct) =>
        TypedResults.Ok(await s.RejectAsync(caller, taskId, request, ct));

    /// <summary>The value, or the rejection, answered after the operation's writes (its log entry) committed.</summary>
    private static IResult Answer<T>(LeaseOutcome<T> outcome) where T : class =>
        outcome.Rejection is { } rejection ? new CommittedError(rejection) : TypedResults.Ok(outcome.Value);

    /// <summary>An error answer that, unlike a thrown one, keeps what the request wrote (the one error writer still writes it).</summary>
    private sealed class CommittedError(ApiException error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => httpContext.RequestServices.GetRequiredService<ErrorWriter>().WriteAsync(httpContext, error);
    }
}
