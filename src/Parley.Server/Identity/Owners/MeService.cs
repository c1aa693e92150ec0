using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Validation;
using Parley.Server.Platform;

namespace Parley.Server.Identity.Owners;

/// <summary>What an owner reads and keeps about themselves: the account, personal access tokens, invitations.</summary>
internal sealed class MeService(Writes writes, TimeProvider time, InstanceAdmins admins, IOptions<IdentityOptions> options)
{
    private ParleyDb Db => writes.Db;
    private long Now => time.NowMs();

    public async Task<MeResponse> GetAsync(Caller caller, CancellationToken ct)
    {
        var account = caller.Account!;
        var workspaces = await Db.WorkspaceMembers.AsNoTracking().Where(m => m.AccountId == account.Id)
            .Join(Db.Workspaces.AsNoTracking(), m => m.WorkspaceId, w => w.Id, (m, w) => new { w.Id, w.Name, w.Plan, m.Role, w.CreatedAt })
            .OrderBy(w => w.CreatedAt).ToListAsync(ct);
        return new MeResponse(account.ToView(await admins.IsAdminAsync(account, ct)),
            [.. workspaces.Select(w => new WorkspaceWithRole(w.Id, w.Name, w.Plan, w.Role))]);
    }

    public async Task<PersonalTokenCreated> CreateTokenAsync(Caller caller, CreateTokenRequest request, CancellationToken ct)
    {
        var max = options.Value.Limits.PersonalTokenMaxDays;
        var v = new Validator();
        var name = v.Required("name", request.Name);
        v.Name("name", request.Name, 1, 100);
        v.Range("expires_in_days", request.ExpiresInDays, 1, max);
        v.ThrowIfInvalid();
        var (id, secret, token) = CredentialFormat.New(CredentialFormat.PersonalToken);
        var now = Now;
        var row = new PersonalAccessToken
        {
            Id = id, AccountId = caller.Account!.Id, Name = name, SecretHash = Secrets.Sha256(secret), Last4 = CredentialFormat.Last4(secret),
            CreatedAt = now, ExpiresAt = now + ((request.ExpiresInDays ?? max) * Clock.DayMs),
        };
        await writes.RunAsync(_ =>
        {
            Db.PersonalAccessTokens.Add(row);
            return Task.CompletedTask;
        }, ct);
        return new PersonalTokenCreated(row.ToView(), token);
    }

    public async Task<Page<PersonalTokenView>> ListTokensAsync(Caller caller, CancellationToken ct)
    {
        var rows = await Db.PersonalAccessTokens.AsNoTracking().Where(t => t.AccountId == caller.Account!.Id)
            .OrderBy(t => t.CreatedAt).ToListAsync(ct);
        return new Page<PersonalTokenView>([.. rows.Select(r => r.ToView())], null);
    }

    public async Task DeleteTokenAsync(Caller caller, string tokenId, CancellationToken ct)
    {
        var deleted = await writes.RunAsync(c => Db.PersonalAccessTokens
            .Where(t => t.Id == tokenId && t.AccountId == caller.Account!.Id).ExecuteDeleteAsync(c), ct);
        if (deleted == 0)
        {
            throw ApiErrors.NotFound();
        }
    }

    /// <summary>Pending invitations to this account's email; only a verified email sees them.</summary>
    public async Task<Page<WorkspaceInviteView>> ListInvitesAsync(Caller caller, CancellationToken ct)
    {
        var account = caller.Account!;
        if (!account.EmailVerified)
        {
            return new Page<WorkspaceInviteView>([], null);
        }
        var now = Now;
        var rows = await Db.WorkspaceInvites.AsNoTracking()
            .Where(i => i.Email == account.Email && i.Status == WorkspaceInvite.Pending && i.ExpiresAt > now)
            .Join(Db.Workspaces.AsNoTracking(), i => i.WorkspaceId, w => w.Id, (i, w) => new { Invite = i, WorkspaceName = w.Name })
            .OrderBy(x => x.Invite.CreatedAt).ToListAsync(ct);
        return new Page<WorkspaceInviteView>([.. rows.Select(r => WorkspaceService.ToView(r.Invite, r.WorkspaceName))], null);
    }

    public async Task<WorkspaceWithRole> AcceptInviteAsync(Caller caller, string inviteId, CancellationToken ct)
    {
        var account = caller.Account!;
        return await writes.RunAsync(async c =>
        {
            var invite = await FindOwnInviteAsync(account, inviteId, c);
            var workspace = await Db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == invite.WorkspaceId, c);
            invite.Status = WorkspaceInvite.Accepted;
            var existing = await Db.WorkspaceMembers.FirstOrDefaultAsync(m => m.WorkspaceId == invite.WorkspaceId && m.AccountId == account.Id, c);
            if (existing is null)
            {
                Db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = invite.WorkspaceId, AccountId = account.Id, Role = invite.Role, CreatedAt = Now });
            }
            return new WorkspaceWithRole(workspace.Id, workspace.Name, workspace.Plan, existing?.Role ?? invite.Role);
        }, ct);
    }

    public Task DeclineInviteAsync(Caller caller, string inviteId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var invite = await FindOwnInviteAsync(caller.Account!, inviteId, c);
            invite.Status = WorkspaceInvite.Declined;
        }, ct);

    private async Task<WorkspaceInvite> FindOwnInviteAsync(Account account, string inviteId, CancellationToken c)
    {
        var now = Now;
        var invite = await Db.WorkspaceInvites.FirstOrDefaultAsync(i => i.Id == inviteId && i.Email == account.Email
            && i.Status == WorkspaceInvite.Pending && i.ExpiresAt > now, c);
        return invite is not null && account.EmailVerified ? invite : throw new ApiException(ErrorCodes.NotFound, "No such invitation.");
    }
}
