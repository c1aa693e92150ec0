using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Identity.Workspaces;

internal static class WorkspaceEndpoints
{
    public static IEndpointRouteBuilder MapWorkspaces(this IEndpointRouteBuilder app)
    {
        var workspaces = app.MapGroup("/v1/workspaces").WithTags("Workspaces").RequireOwner();
        workspaces.MapGet("", (HttpContext http, WorkspaceService service, CancellationToken ct) => service.ListAsync(http.Caller(), ct))
            .WithName("ListWorkspaces").WithSummary("The caller's workspaces with roles.");
        workspaces.MapPost("", CreateAsync).WithName("CreateWorkspace").WithSummary("Create a workspace; the caller is its owner.");

        var one = workspaces.MapGroup("/{workspaceId}");
        one.MapGet("", (HttpContext http) => http.Workspace().Workspace.ToView())
            .WithName("GetWorkspace").WithSummary("Read a workspace.").RequireWorkspaceRole(Roles.Member);
        one.MapPatch("", (UpdateWorkspaceRequest request, HttpContext http, WorkspaceService service, CancellationToken ct) =>
                service.RenameAsync(http.Workspace().Workspace, request, ct))
            .WithName("RenameWorkspace").WithSummary("Rename a workspace.").RequireWorkspaceRole(Roles.Admin);
        one.MapGet("/members", (HttpContext http, WorkspaceService service, CancellationToken ct) => service.MembersAsync(http.Workspace().Workspace, ct))
            .WithName("ListMembers").WithSummary("The workspace's members.").RequireWorkspaceRole(Roles.Member);
        one.MapPost("/members", InviteAsync).WithName("InviteMember")
            .WithSummary("Invite an email (same answer whether or not it has an account).").RequireWorkspaceRole(Roles.Admin)
            .ProducesErrors(ErrorCodes.WorkspaceRequired);
        one.MapPatch("/members/{accountId}", (string accountId, UpdateMemberRequest request, HttpContext http, WorkspaceService service, CancellationToken ct) =>
                service.ChangeRoleAsync(http.Workspace().Workspace, accountId, request, ct))
            .WithName("ChangeMemberRole").WithSummary("Change a member's role.").RequireWorkspaceRole(Roles.Admin)
            .ProducesErrors(ErrorCodes.MemberNotFound, ErrorCodes.RoleChangeForbidden);
        one.MapDelete("/members/{accountId}", RemoveAsync).WithName("RemoveMember").WithSummary("Remove a member.")
            .RequireWorkspaceRole(Roles.Admin).ProducesErrors(ErrorCodes.MemberNotFound, ErrorCodes.RoleChangeForbidden);
        return app;
    }

    private static async Task<Created<WorkspaceView>> CreateAsync(CreateWorkspaceRequest request, HttpContext http, WorkspaceService service, CancellationToken ct)
    {
        var workspace = await service.CreateAsync(http.Caller(), request, ct);
        return TypedResults.Created($"/v1/workspaces/{workspace.Id}", workspace);
    }

    private static async Task<Created<InviteCreated>> InviteAsync(InviteMemberRequest request, HttpContext http, WorkspaceService service, CancellationToken ct)
    {
        var access = http.Workspace();
        return TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/members", await service.InviteAsync(http.Caller(), access.Workspace, request, ct));
    }

    private static async Task<NoContent> RemoveAsync(string accountId, HttpContext http, WorkspaceService service, CancellationToken ct)
    {
        await service.RemoveMemberAsync(http.Workspace().Workspace, accountId, ct);
        return TypedResults.NoContent();
    }
}
