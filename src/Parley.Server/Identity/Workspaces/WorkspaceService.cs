using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Owners;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Governance.Plans;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Workspaces;

/// <summary>Workspaces, their members and invitations. Role checks are the access rules'; this holds the rest.</summary>
internal sealed class WorkspaceService(Writes writes, Ids ids, TimeProvider time, PlanCatalog plans, IOptions<IdentityOptions> options)
{
    private ParleyDb Db => writes.Db;
    private long Now => time.NowMs();

    public static WorkspaceInviteView ToView(WorkspaceInvite i, string workspaceName) =>
        new(i.Id, i.WorkspaceId, workspaceName, i.Email, i.Role, i.Status, Clock.Time(i.CreatedAt), Clock.Time(i.ExpiresAt));

    public async Task<Page<WorkspaceWithRole>> ListAsync(Caller caller, CancellationToken ct)
    {
        var rows = await Db.WorkspaceMembers.AsNoTracking().Where(m => m.AccountId == caller.Account!.Id)
            .Join(Db.Workspaces.AsNoTracking(), m => m.WorkspaceId, w => w.Id, (m, w) => new { w.Id, w.Name, w.Plan, m.Role, w.CreatedAt })
            .OrderBy(w => w.CreatedAt).ToListAsync(ct);
        return new Page<WorkspaceWithRole>([.. rows.Select(w => new WorkspaceWithRole(w.Id, w.Name, w.Plan, w.Role))], null);
    }

    public async Task<WorkspaceView> CreateAsync(Caller caller, CreateWorkspaceRequest request, CancellationToken ct)
    {
        var name = ValidName(request.Name, required: true)!;
        var now = Now;
        var workspace = new Workspace { Id = ids.New("ws"), Name = name, Plan = plans.DefaultPlanName, OwnerAccountId = caller.Account!.Id, CreatedAt = now };
        await writes.RunAsync(_ =>
        {
            Db.Workspaces.Add(workspace);
            Db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, AccountId = caller.Account.Id, Role = Roles.Owner, CreatedAt = now });
            return Task.CompletedTask;
        }, ct);
        return workspace.ToView();
    }

    public async Task<WorkspaceView> RenameAsync(Workspace workspace, UpdateWorkspaceRequest request, CancellationToken ct)
    {
        var name = ValidName(request.Name, required: false);
        if (name is not null)
        {
            await writes.RunAsync(c => Db.Workspaces.Where(w => w.Id == workspace.Id).ExecuteUpdateAsync(s => s.SetProperty(w => w.Name, name), c), ct);
            workspace.Name = name;
        }
        return workspace.ToView();
    }

    private static string? ValidName(string? name, bool required)
    {
        var v = new Validator();
        if (required)
        {
            v.Required("name", name);
        }
        v.Name("name", name?.Trim(), 1, 100);
        v.ThrowIfInvalid();
        return name?.Trim();
    }

    public async Task<Page<MemberView>> MembersAsync(Workspace workspace, CancellationToken ct)
    {
        var rows = await Db.WorkspaceMembers.AsNoTracking().Where(m => m.WorkspaceId == workspace.Id)
            .Join(Db.Accounts.AsNoTracking(), m => m.AccountId, a => a.Id, (m, a) => new { m, a })
            .OrderBy(x => x.m.CreatedAt).ToListAsync(ct);
        return new Page<MemberView>([.. rows.Select(x => new MemberView(x.a.Id, x.a.Email, x.a.Name, x.m.Role, Clock.Time(x.m.CreatedAt)))], null);
    }

    /// <summary>
    /// Invites an email to the workspace. The answer is the same whether or not an account has the email; only an
    /// account with it, verified, will see and accept the invitation.
    /// </summary>
    public async Task<InviteCreated> InviteAsync(Caller caller, Workspace workspace, InviteMemberRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var email = v.Required("email", request.Email);
        OwnerAuthService.ValidateEmail(v, "email", request.Email);
        var role = v.Required("role", request.Role);
        v.OneOf("role", request.Role, Roles.Admin, Roles.Member);
        v.ThrowIfInvalid();
        PlanCatalog.EnsureTeamWorkspaces(plans.Get(workspace.Plan));
        var now = Now;
        var invite = new WorkspaceInvite
        {
            Id = ids.New("inv"), WorkspaceId = workspace.Id, Email = OwnerAuthService.NormalizeEmail(email), Role = role,
            InvitedBy = caller.Account!.Id, Status = WorkspaceInvite.Pending, CreatedAt = now,
            ExpiresAt = now + (options.Value.Limits.WorkspaceInviteDays * Clock.DayMs),
        };
        await writes.RunAsync(_ =>
        {
            Db.WorkspaceInvites.Add(invite);
            return Task.CompletedTask;
        }, ct);
        return new InviteCreated(ToView(invite, workspace.Name));
    }

    public async Task<MemberView> ChangeRoleAsync(Workspace workspace, string accountId, UpdateMemberRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var role = v.Required("role", request.Role);
        v.OneOf("role", request.Role, Roles.Admin, Roles.Member);
        v.ThrowIfInvalid();
        return await writes.RunAsync(async c =>
        {
            var member = await FindMemberAsync(workspace, accountId, c);
            member.Role = role;
            var account = await Db.Accounts.AsNoTracking().FirstAsync(a => a.Id == accountId, c);
            return new MemberView(account.Id, account.Email, account.Name, role, Clock.Time(member.CreatedAt));
        }, ct);
    }

    public Task RemoveMemberAsync(Workspace workspace, string accountId, CancellationToken ct) =>
        writes.RunAsync(async c => Db.WorkspaceMembers.Remove(await FindMemberAsync(workspace, accountId, c)), ct);

    private async Task<WorkspaceMember> FindMemberAsync(Workspace workspace, string accountId, CancellationToken c)
    {
        var member = await Db.WorkspaceMembers.FirstOrDefaultAsync(m => m.WorkspaceId == workspace.Id && m.AccountId == accountId, c)
            ?? throw new ApiException(ErrorCodes.MemberNotFound, "That account is not a member of this workspace.");
        if (member.Role == Roles.Owner)
        {
            throw new ApiException(ErrorCodes.RoleChangeForbidden, "The workspace owner's role cannot be changed or removed.");
        }
        return member;
    }
}
