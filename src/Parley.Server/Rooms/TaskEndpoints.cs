using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Rooms;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.RateLimiting;

namespace Parley.Server.Rooms;

/// <summary>The task board and its leases.</summary>
internal static class TaskEndpoints
{
    public static IEndpointRouteBuilder MapTaskRoutes(this IEndpointRouteBuilder app)
    {
        var board = app.MapGroup("/v1/rooms/{roomId}/tasks").WithTags("Tasks").RequireOwnerOrAgent().ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        board.MapPost("", CreateAsync).WithName("CreateTask").RateLimited("room-write")
            .WithSummary("Add a task (201); assigning an agent mentions it, and another owner's agent needs invoke and that owner's grant.")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.ForbiddenScope, ErrorCodes.NoGrant);
        board.MapGet("", (string roomId, string? status, string? assignee, int? limit, string? cursor, HttpContext http, TaskService s, CancellationToken ct) =>
                s.ListAsync(http.Caller(), roomId, status, assignee, limit, cursor, ct))
            .WithName("ListTasks").WithSummary("The board, by order; filter by status and assignee (an agent, or none).").RateLimited("room-read");

        var task = app.MapGroup("/v1/tasks/{taskId}").WithTags("Tasks").RequireOwnerOrAgent().ProducesErrors(ErrorCodes.NotFound, ErrorCodes.NotAMember);
        task.MapGet("", (string taskId, HttpContext http, TaskService s, CancellationToken ct) => s.GetAsync(http.Caller(), taskId, ct))
            .WithName("GetTask").WithSummary("One task (a lapse that is due is applied first).").RateLimited("room-read");
        task.MapPatch("", (string taskId, UpdateTaskRequest request, HttpContext http, TaskService s, CancellationToken ct) =>
                s.UpdateAsync(http.Caller(), taskId, request, ct))
            .WithName("UpdateTask").WithSummary("Edit (the creator or a room admin); reassigning ends the current lease.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.ForbiddenScope, ErrorCodes.NoGrant, ErrorCodes.Conflict);
        task.MapDelete("", DeleteAsync).WithName("DeleteTask").WithSummary("Delete (the creator or a room admin).").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden);
        task.MapGet("/events", (string taskId, int? limit, string? cursor, HttpContext http, TaskService s, CancellationToken ct) =>
                s.EventsAsync(http.Caller(), taskId, limit, cursor, ct))
            .WithName("TaskEvents").WithSummary("The task's append-only log.").RateLimited("room-read");
        task.MapPost("/claim", (string taskId, ClaimTaskRequest? request, HttpContext http, TaskLeaseService s, CancellationToken ct) =>
                s.ClaimAsync(http.Caller(), taskId, request ?? new ClaimTaskRequest(), ct))
            .WithName("ClaimTask").WithSummary("Atomically todo → doing under a lease; the claim token is shown once.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.NoGrant, ErrorCodes.TaskAlreadyClaimed, ErrorCodes.Conflict);
        task.MapPost("/renew", async (string taskId, ClaimTokenRequest request, HttpContext http, TaskLeaseService s, CancellationToken ct) =>
                Answer(await s.RenewAsync(http.Caller(), taskId, request, ct)))
            .WithName("RenewLease").WithSummary("Extend a live lease to now + its TTL.").RateLimited("lease-renew").Produces<LeaseRenewed>()
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.ClaimStale);
        task.MapPost("/release", async (string taskId, ClaimTokenRequest request, HttpContext http, TaskLeaseService s, CancellationToken ct) =>
                Answer(await s.ReleaseAsync(http.Caller(), taskId, request, ct)))
            .WithName("ReleaseLease").WithSummary("Give the task back (todo).").RateLimited("room-write").Produces<TaskView>()
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.ClaimStale);
        task.MapPost("/status", async (string taskId, TaskStatusRequest request, HttpContext http, TaskLeaseService s, CancellationToken ct) =>
                Answer(await s.SetStatusAsync(http.Caller(), taskId, request, ct)))
            .WithName("SetTaskStatus").WithSummary("The holder sets done, failed or blocked; people and the creator cancel or reopen.")
            .RateLimited("room-write").Produces<TaskView>()
            .ProducesErrors(ErrorCodes.ThreadNotActive, ErrorCodes.Forbidden, ErrorCodes.ClaimStale, ErrorCodes.Conflict);
        task.MapPost("/accept", (string taskId, HttpContext http, TaskService s, CancellationToken ct) => s.AcceptAsync(http.Caller(), taskId, ct))
            .WithName("AcceptTask").WithSummary("The assignee's owner accepts a pending cross-owner task.").RateLimited("room-write")
            .ProducesErrors(ErrorCodes.Forbidden, ErrorCodes.Conflict);
        task.MapPost("/reject", (string taskId, RejectTaskRequest? request, HttpContext http, TaskService s, CancellationToken ct) =>
                s.RejectAsync(http.Caller(), taskId, request, ct))
            .WithName("RejectTask").WithSummary("The assignee's owner rejects a pending task; it returns to its creator unassigned.")
            .RateLimited("room-write").ProducesErrors(ErrorCodes.Forbidden, ErrorCodes.Conflict);
        return app;
    }

    private static async Task<Created<TaskView>> CreateAsync(string roomId, CreateTaskRequest request, HttpContext http, TaskService s, CancellationToken ct)
    {
        var task = await s.CreateAsync(http.Caller(), roomId, request, ct);
        return TypedResults.Created($"/v1/tasks/{task.Id}", task);
    }

    private static async Task<NoContent> DeleteAsync(string taskId, HttpContext http, TaskService s, CancellationToken ct)
    {
        await s.DeleteAsync(http.Caller(), taskId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The value, or the rejection, answered after the operation's writes (its log entry) committed.</summary>
    private static IResult Answer<T>(LeaseOutcome<T> outcome) where T : class =>
        outcome.Rejection is { } rejection ? new CommittedError(rejection) : TypedResults.Ok(outcome.Value);

    /// <summary>An error answer that, unlike a thrown one, keeps what the request wrote (the one error writer still writes it).</summary>
    private sealed class CommittedError(ApiException error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => httpContext.RequestServices.GetRequiredService<ErrorWriter>().WriteAsync(httpContext, error);
    }
}
