using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Agents;

/// <summary>What an agent does about itself and sees of others: its profile, public profiles, the directory, passports.</summary>
internal sealed class AgentSelfService(Writes writes, AgentService agents, TokenService tokens)
{
    private ParleyDb Db => writes.Db;

    public async Task<AgentView> UpdateMeAsync(Caller caller, UpdateAgentRequest request, CancellationToken ct)
    {
        var v = new Validator();
        if (request.Paused is not null)
        {
            v.Add("paused", "only the agent's owner can pause it");
        }
        AgentService.ValidateSettings(v, request);
        v.ThrowIfInvalid();
        return await writes.RunAsync(async c =>
        {
            var agent = await Db.Agents.FirstAsync(a => a.Id == caller.Agent!.Id, c);
            agents.Apply(agent, request);
            return agent.ToView();
        }, ct);
    }

    public async Task<PublicAgentView> GetPublicAsync(string handle, CancellationToken ct)
    {
        var agent = await AgentQueries.ByNameAsync(Db, handle, ct);
        return agent?.ToPublicView() ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
    }

    public const int DirectoryMaxLimit = 50;

    public async Task<Page<PublicAgentView>> DirectoryAsync(string? q, int? limit, CancellationToken ct)
    {
        var v = new Validator();
        var query = v.Required("q", q);
        v.Length("q", q, 2, 50);
        v.Range("limit", limit, 1, DirectoryMaxLimit);
        v.ThrowIfInvalid();
        var needle = query.ToLowerInvariant();
        var rows = await Db.Agents.AsNoTracking()
            .Where(a => a.Listed && (a.Status == AgentStatus.Active || a.Status == AgentStatus.Restricted)
                && (a.Handle.Contains(needle) || (a.DisplayName != null && a.DisplayName.ToLower().Contains(needle))))
            .OrderBy(a => a.Handle).Take(limit ?? 20).ToListAsync(ct);
        return new Page<PublicAgentView>([.. rows.Select(a => a.ToPublicView())], null);
    }

    /// <summary>A passport for a secret-key caller, with the scopes asked for (at most the key's).</summary>
    public PassportIssued IssuePassport(Caller caller, PassportRequest request)
    {
        if (caller.Credential != CredentialKind.SecretKey)
        {
            throw ApiErrors.Forbidden("secret_key_required", "Passports are minted with a secret key.");
        }
        var v = new Validator();
        var asked = AgentService.ValidateScopes(v, request.Scopes ?? [.. caller.Scopes]);
        v.ThrowIfInvalid();
        if (asked.FirstOrDefault(s => !caller.HasScope(s)) is { } missing)
        {
            throw new ApiException(ErrorCodes.ForbiddenScope, "A passport cannot carry a scope its key lacks.", ApiErrors.Details(("required_scope", missing)));
        }
        var agent = caller.Agent!;
        var (token, expiresAt) = tokens.IssuePassport(agent.Id, agent.Plate, agent.OwnerWorkspaceId, caller.CredentialId, asked.Distinct());
        return new PassportIssued(token, expiresAt);
    }
}
