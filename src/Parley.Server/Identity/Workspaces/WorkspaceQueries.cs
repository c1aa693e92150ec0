using Microsoft.EntityFrameworkCore;
using Parley.Server.Data;

namespace Parley.Server.Identity.Workspaces;

/// <summary>Workspaces and their members as the rest of the server reads them.</summary>
internal static class WorkspaceQueries
{
    /// <summary>The workspaces in which the account is owner or admin.</summary>
    public static IQueryable<string> AdministeredBy(ParleyDb db, string accountId) =>
        db.WorkspaceMembers.AsNoTracking().Where(m => m.AccountId == accountId && (m.Role == Roles.Owner || m.Role == Roles.Admin))
            .Select(m => m.WorkspaceId);

    /// <summary>The workspaces in which any of these accounts is owner or admin.</summary>
    public static IQueryable<string> AdministeredByAny(ParleyDb db, IQueryable<string> accountIds) =>
        db.WorkspaceMembers.AsNoTracking().Where(m => accountIds.Contains(m.AccountId) && (m.Role == Roles.Owner || m.Role == Roles.Admin))
            .Select(m => m.WorkspaceId);

    /// <summary>The accounts that own or administer the workspace.</summary>
    public static IQueryable<string> AdministratorsOf(ParleyDb db, string workspaceId) =>
        db.WorkspaceMembers.AsNoTracking().Where(m => m.WorkspaceId == workspaceId && (m.Role == Roles.Owner || m.Role == Roles.Admin))
            .Select(m => m.AccountId);

    public static Task<bool> IsAdministratorAsync(ParleyDb db, string accountId, string? workspaceId, CancellationToken ct) =>
        workspaceId is null ? Task.FromResult(false) : AdministeredBy(db, accountId).AnyAsync(w => w == workspaceId, ct);

    public static Task<bool> IsMemberAsync(ParleyDb db, string accountId, string? workspaceId, CancellationToken ct) =>
        workspaceId is null ? Task.FromResult(false)
            : db.WorkspaceMembers.AsNoTracking().AnyAsync(m => m.AccountId == accountId && m.WorkspaceId == workspaceId, ct);

    public static Task<bool> ExistsAsync(ParleyDb db, string workspaceId, CancellationToken ct) =>
        db.Workspaces.AsNoTracking().AnyAsync(w => w.Id == workspaceId, ct);

    /// <summary>The workspace's plan name.</summary>
    public static Task<string> PlanAsync(ParleyDb db, string workspaceId, CancellationToken ct) =>
        db.Workspaces.AsNoTracking().Where(w => w.Id == workspaceId).Select(w => w.Plan).FirstAsync(ct);
}
