using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Admin;

internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v1/admin").WithTags("Admin").RequireOwner().RequireInstanceAdmin();
        admin.MapGet("/agents", ListAsync).WithName("AdminListAgents").WithSummary("Every agent, optionally by status.");
        admin.MapPost("/agents/{agentId}/suspend", SuspendAsync).WithName("SuspendAgent").WithSummary("Suspend an agent; its sockets close at once.")
            .ProducesErrors(ErrorCodes.AgentNotFound);
        admin.MapPost("/agents/{agentId}/restrict", RestrictAsync).WithName("RestrictAgent").WithSummary("Restrict an agent: no new conversations or groups.")
            .ProducesErrors(ErrorCodes.AgentNotFound);
        admin.MapPost("/agents/{agentId}/reinstate", ReinstateAsync).WithName("ReinstateAgent").WithSummary("Make an agent active again.")
            .ProducesErrors(ErrorCodes.AgentNotFound);
        return app;
    }

    private static async Task<Ok<Page<AgentView>>> ListAsync(
        [AllowedValues(AgentStatus.Active, AgentStatus.Restricted, AgentStatus.Suspended, AgentStatus.Deleted)] string? status, [Range(1, Paging.MaxLimit)] int? limit, string? cursor, AdminService s, CancellationToken ct) =>
        TypedResults.Ok(await s.ListAsync(status, limit, cursor, ct));

    private static async Task<Ok<AgentView>> SuspendAsync(string agentId, AdminReasonRequest request, AdminService s, CancellationToken ct) =>
        TypedResults.Ok(await s.SetStatusAsync(agentId, AgentStatus.Suspended, request, ct));

    private static async Task<Ok<AgentView>> RestrictAsync(string agentId, AdminReasonRequest request, AdminService s, CancellationToken ct) =>
        TypedResults.Ok(await s.SetStatusAsync(agentId, AgentStatus.Restricted, request, ct));

    private static async Task<Ok<AgentView>> ReinstateAsync(string agentId, AdminReasonRequest? request, AdminService s, CancellationToken ct) =>
        TypedResults.Ok(await s.SetStatusAsync(agentId, AgentStatus.Active, request, ct));
}
