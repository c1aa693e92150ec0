using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Channel;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Governance.Plans;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Claims;

/// <summary>
/// An owner takes responsibility for a self-registered agent by presenting its key (checked, never stored), and may
/// release it again. Five failed attempts naming one agent's key id within an hour lock claims on it for a while.
/// </summary>
internal sealed class ClaimService(Writes writes, Ids ids, TimeProvider time, PlanCatalog plans, AgentSignals signals, IOptions<IdentityOptions> options)
{
    private ParleyDb Db => writes.Db;
    private long Now => time.NowMs();

    public async Task<AgentView> ClaimAsync(Workspace workspace, ClaimRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var presented = v.Required("api_key", request.ApiKey);
        v.ThrowIfInvalid();
        if (!CredentialFormat.TryParse(presented, CredentialFormat.SecretKey, out var keyId, out var secret))
        {
            throw InvalidKey();
        }
        var key = await Db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId, ct);
        if (key is null)
        {
            throw InvalidKey();
        }
        await EnsureNotLockedAsync(key.AgentId, ct);
        if (key.Kind != KeyKinds.Secret || key.RevokedAt is not null || !Secrets.MatchesHash(secret, key.SecretHash))
        {
            await writes.RunIndependentAsync((w, c) =>
            {
                w.Db.ClaimFailures.Add(new ClaimFailure { Id = ids.New("clf"), AgentId = key.AgentId, At = Now });
                return Task.FromResult(true);
            }, ct);
            throw InvalidKey();
        }

        return await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.WorkspaceAgents(workspace.Id));
            var agent = await Db.Agents.FirstOrDefaultAsync(a => a.Id == key.AgentId && a.Status != AgentStatus.Deleted, c) ?? throw InvalidKey();
            if (agent.OwnerWorkspaceId == workspace.Id)
            {
                return agent.ToView();
            }
            if (agent.OwnerWorkspaceId is not null)
            {
                throw new ApiException(ErrorCodes.AlreadyClaimed, "Another owner has already claimed this agent.");
            }
            var count = await AgentQueries.CountInWorkspaceAsync(Db, workspace.Id, c);
            PlanCatalog.EnsureBelowLimit("agents", plans.Get(workspace.Plan).MaxAgents, count);
            agent.OwnerWorkspaceId = workspace.Id;
            agent.IsDefault = count == 0;
            agent.UpdatedAt = Now;
            await signals.TellAsync(agent.Id, FrameTypes.AgentClaimed, new { agent_id = agent.Id, workspace_id = workspace.Id }, c);
            return agent.ToView();
        }, ct);
    }

    private async Task EnsureNotLockedAsync(string agentId, CancellationToken ct)
    {
        var hourAgo = Now - Clock.HourMs;
        var failures = await Db.ClaimFailures.AsNoTracking().Where(f => f.AgentId == agentId && f.At > hourAgo).Select(f => f.At).ToListAsync(ct);
        if (failures.Count >= options.Value.Limits.ClaimFailuresPerHour)
        {
            throw new ApiException(ErrorCodes.TooManyClaims, "Too many failed claims on this agent; try again later.",
                retryAfter: TimeSpan.FromMilliseconds(failures.Min() + Clock.HourMs - Now));
        }
    }

    private static ApiException InvalidKey() => new(ErrorCodes.InvalidApiKey, "That API key is not valid.");

    /// <summary>Gives a claimed agent back its independence; only the claiming workspace may.</summary>
    public Task ReleaseAsync(Workspace workspace, string agentId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.WorkspaceAgents(workspace.Id));
            var agent = await Db.Agents.FirstOrDefaultAsync(a => a.Id == agentId && a.OwnerWorkspaceId == workspace.Id
                && a.RegisteredEmail != null && a.Status != AgentStatus.Deleted, c)
                ?? throw new ApiException(ErrorCodes.ClaimNotFound, "This workspace holds no claim on that agent.");
            var wasDefault = agent.IsDefault;
            agent.OwnerWorkspaceId = null;
            agent.IsDefault = false;
            agent.UpdatedAt = Now;
            await Db.SaveChangesAsync(c);
            if (wasDefault && await Db.Agents.Where(a => a.OwnerWorkspaceId == workspace.Id && a.Status != AgentStatus.Deleted)
                .OrderBy(a => a.CreatedAt).FirstOrDefaultAsync(c) is { } next)
            {
                next.IsDefault = true;
            }
            await signals.TellAsync(agent.Id, FrameTypes.AgentReleased, new { agent_id = agent.Id, workspace_id = workspace.Id, reason = "released_by_owner" }, c);
        }, ct);
}
