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
        workspaces.MapGet("", ListAsync).WithName("ListWorkspaces").WithSummary("The caller's workspaces with roles.");
        workspaces.MapPost("", CreateAsync).WithName("CreateWorkspace").WithSummary("Create a workspace; the caller is its owner.");

        var one = workspaces.MapGroup("/{workspaceId}");
        one.MapGet("", Get).WithName("GetWorkspace").WithSummary("Read a workspace.").RequireWorkspaceRole(Roles.Member);
        one.MapPatch("", RenameAsync).WithName("RenameWorkspace").WithSummary("Rename a workspace.").RequireWorkspaceRole(Roles.Admin);
        one.MapGet("/members", MembersAsync).WithName("ListMembers").WithSummary("The workspace's members.").RequireWorkspaceRole(Roles.Member);
        one.MapPost("/members", InviteAsync).WithName("InviteMember")
            .WithSummary("Invite an email (same answer whether or not it has an account).").RequireWorkspaceRole(Roles.Admin)
            .ProducesErrors(ErrorCodes.WorkspaceRequired);
        one.MapPatch("/members/{accountId}", ChangeRoleAsync).WithName("ChangeMemberRole").WithSummary("Change a member's role.")
            .RequireWorkspaceRole(Roles.Admin).ProducesErrors(ErrorCodes.MemberNotFound, ErrorCodes.RoleChangeForbidden);
        one.MapDelete("/members/{accountId}", RemoveAsync).WithName("RemoveMember").WithSummary("Remove a member.")
            .RequireWorkspaceRole(Roles.Admin).ProducesErrors(ErrorCodes.MemberNotFound, ErrorCodes.RoleChangeForbidden);
        return app;
    }

    private static async Task<Ok<Page<WorkspaceWithRole>>> ListAsync(Caller caller, WorkspaceService service, CancellationToken ct) =>
        TypedResults.Ok(await service.ListAsync(caller, ct));

    private static async Task<Created<WorkspaceView>> CreateAsync(CreateWorkspaceRequest request, Caller caller, WorkspaceService service, CancellationToken ct)
    {
        var workspace = await service.CreateAsync(caller, request, ct);
        return TypedResults.Created($"/v1/workspaces/{workspace.Id}", workspace);
    }

    private static Ok<WorkspaceView> Get(WorkspaceAccess access) => TypedResults.Ok(access.Workspace.ToView());

    private static async Task<Ok<WorkspaceView>> RenameAsync(UpdateWorkspaceRequest request, WorkspaceAccess access, WorkspaceService service,
        CancellationToken ct) =>
        TypedResults.Ok(await service.RenameAsync(access.Workspace, request, ct));

    private static async Task<Ok<Page<MemberView>>> MembersAsync(WorkspaceAccess access, WorkspaceService service, CancellationToken ct) =>
        TypedResults.Ok(await service.MembersAsync(access.Workspace, ct));

    private static async Task<Created<InviteCreated>> InviteAsync(InviteMemberRequest request, Caller caller, WorkspaceAccess access, WorkspaceService service,
        CancellationToken ct) =>
        TypedResults.Created($"/v1/workspaces/{access.Workspace.Id}/members", await service.InviteAsync(caller, access.Workspace, request, ct));

    private static async Task<Ok<MemberView>> ChangeRoleAsync(string accountId, UpdateMemberRequest request, WorkspaceAccess access,
        WorkspaceService service, CancellationToken ct) =>
        TypedResults.Ok(await service.ChangeRoleAsync(access.Workspace, accountId, request, ct));

    private static async Task<NoContent> RemoveAsync(string accountId, WorkspaceAccess access, WorkspaceService service, CancellationToken ct)
    {
        await service.RemoveMemberAsync(access.Workspace, accountId, ct);
        return TypedResults.NoContent();
    }
}
