using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Identity.Workspaces;

/// <summary>
/// Which workspace a request acts in, for routes that need one but do not carry it in their path's access rule.
/// A workspace named in the path, the body or the <c>X-Workspace-Id</c> header (first found, in that order, see
/// <see cref="WorkspaceHeader"/>) must be one of the caller's (<c>WORKSPACE_NOT_FOUND</c> otherwise). Naming none is fine for an owner in exactly one
/// workspace; an owner in several gets <c>WORKSPACE_HEADER_REQUIRED</c>. An agent acts in its owner workspace.
/// </summary>
internal sealed class WorkspaceResolver(ParleyDb db)
{
    public async Task<WorkspaceAccess> ResolveAsync(Caller caller, string? named, CancellationToken ct)
    {
        if (caller.Kind == CallerKind.Agent)
        {
            var own = caller.Agent!.OwnerWorkspaceId;
            if (own is null)
            {
                throw ApiErrors.Forbidden("unowned_agent", "This agent belongs to no workspace; an owner must claim it first.");
            }
            if (named is not null && named != own)
            {
                throw new ApiException(ErrorCodes.WorkspaceNotFound, "No such workspace.");
            }
            var workspace = await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == own, ct);
            return new WorkspaceAccess(workspace, Roles.Member);
        }

        var accountId = caller.Account!.Id;
        var memberships = db.WorkspaceMembers.AsNoTracking().Where(m => m.AccountId == accountId);
        if (named is not null)
        {
            memberships = memberships.Where(m => m.WorkspaceId == named);
        }
        var found = await memberships
            .Join(db.Workspaces.AsNoTracking(), m => m.WorkspaceId, w => w.Id, (m, w) => new { Workspace = w, m.Role })
            .Take(2).ToListAsync(ct);
        return found switch
        {
            [var only] => new WorkspaceAccess(only.Workspace, only.Role),
            [] => throw new ApiException(ErrorCodes.WorkspaceNotFound, "No such workspace."),
            _ => throw new ApiException(ErrorCodes.WorkspaceHeaderRequired,
                "You belong to several workspaces: name one with workspace_id or the X-Workspace-Id header."),
        };
    }
}

/// <summary>The HTTP side of "which workspace": the one named in the path or body, else in <c>X-Workspace-Id</c>.</summary>
internal static class WorkspaceHeader
{
    public const string Name = "X-Workspace-Id";

    public static string? Named(HttpContext context, string? fromPathOrBody) =>
        !string.IsNullOrWhiteSpace(fromPathOrBody) ? fromPathOrBody.Trim()
            : context.Request.Headers[Name].ToString() is { Length: > 0 } header ? header.Trim() : null;
}
