using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Identity;
using Parley.Server.Data;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Governance.Plans;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Identity.Agents;

/// <summary>Agents as their owners manage them: creation under the plan's limit, profile, pause, default, keys, deletion.</summary>
internal sealed class AgentService(
    Writes writes, Ids ids, TimeProvider time, PlanCatalog plans, AgentSignals signals, IEnumerable<IAgentDeletionStep> deletionSteps)
{
    private ParleyDb Db => writes.Db;
    private long Now => time.NowMs();

    public async Task<AgentCreated> CreateAsync(Workspace workspace, CreateAgentRequest request, CancellationToken ct)
    {
        var handle = Handles.Validate(request.Handle);
        var v = new Validator();
        ValidateProfile(v, request.DisplayName, request.Description);
        var scopes = ValidateScopes(v, request.Scopes);
        v.ThrowIfInvalid();
        try
        {
            return await writes.RunAsync(async c =>
            {
                await writes.LockAsync(c, LockKeys.WorkspaceAgents(workspace.Id));
                var count = await AgentQueries.CountInWorkspaceAsync(Db, workspace.Id, c);
                PlanCatalog.EnsureBelowLimit("agents", plans.Get(workspace.Plan).MaxAgents, count);
                if (await AgentQueries.HandleInUseAsync(Db, handle, c))
                {
                    throw Handles.Taken(handle);
                }
                var agent = NewAgent(handle, request.DisplayName, request.Description, workspace.Id, registeredEmail: null);
                agent.IsDefault = count == 0;
                Db.Agents.Add(agent);
                var (_, apiKey) = AddKey(agent.Id, KeyKinds.Secret, "default", scopes);
                return new AgentCreated(agent.ToView(), apiKey);
            }, ct);
        }
        catch (DbUpdateException e) when (writes.IsUniqueViolation(e))
        {
            throw Handles.Taken(handle);
        }
    }

    internal Agent NewAgent(string handle, string? displayName, string? description, string? workspaceId, string? registeredEmail)
    {
        var now = Now;
        return new Agent
        {
            Id = ids.New("agt"), Handle = handle, Plate = Handles.NewPlate(), DisplayName = displayName?.Trim(), Description = description?.Trim(),
            OwnerWorkspaceId = workspaceId, RegisteredEmail = registeredEmail, Status = AgentStatus.Active, Paused = PauseMode.None,
            InboxMode = "open", GroupInvitePolicy = "open", Listed = true, CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>Adds a key to the change tracker; returns the row and the one-time full key.</summary>
    internal (ApiKey Key, string ApiKey) AddKey(string agentId, string kind, string? name, IEnumerable<string> scopes)
    {
        var (id, secret, token) = CredentialFormat.New(kind == KeyKinds.Secret ? CredentialFormat.SecretKey : CredentialFormat.PublishableKey);
        var key = new ApiKey
        {
            Id = id, AgentId = agentId, Kind = kind, Name = name, Scopes = Scopes.Join(scopes), SecretHash = Secrets.Sha256(secret),
            Last4 = CredentialFormat.Last4(secret), CreatedAt = Now,
        };
        Db.ApiKeys.Add(key);
        return (key, token);
    }

    public static void ValidateProfile(Validator v, string? displayName, string? description)
    {
        v.Name("display_name", displayName, 0, 100);
        v.Length("description", description, 0, 500);
    }

    public static IReadOnlyList<string> ValidateScopes(Validator v, IReadOnlyList<string>? scopes)
    {
        if (scopes is null)
        {
            return Scopes.All;
        }
        foreach (var bad in scopes.Where(s => !Scopes.All.Contains(s)))
        {
            v.Add("scopes", $"'{bad}' is not a scope (read, write, upload, download, invoke)");
        }
        if (scopes.Count == 0)
        {
            v.Add("scopes", "must name at least one scope");
        }
        return scopes;
    }

    public async Task<Page<AgentView>> ListAsync(Workspace workspace, int? limit, string? cursor, CancellationToken ct)
    {
        var paging = Paging.From(limit, cursor);
        var rows = await Db.Agents.AsNoTracking()
            .Where(a => a.OwnerWorkspaceId == workspace.Id && a.Status != AgentStatus.Deleted && (paging.After == null || string.Compare(a.Id, paging.After) > 0))
            .OrderBy(a => a.Id).Take(paging.Limit + 1).ToListAsync(ct);
        var (items, next) = paging.Cut(rows, a => a.Id);
        return new Page<AgentView>([.. items.Select(a => a.ToView())], next);
    }

    /// <summary>An agent of this workspace; anything else, deleted ones included, is <c>AGENT_NOT_FOUND</c>.</summary>
    public async Task<Agent> FindOwnedAsync(Workspace workspace, string agentId, CancellationToken ct, bool track = false)
    {
        var query = track ? Db.Agents : Db.Agents.AsNoTracking();
        return await query.FirstOrDefaultAsync(a => a.Id == agentId && a.OwnerWorkspaceId == workspace.Id && a.Status != AgentStatus.Deleted, ct)
            ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent in this workspace.");
    }

    public async Task<AgentView> UpdateAsync(Workspace workspace, string agentId, UpdateAgentRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.OneOf("paused", request.Paused, PauseMode.None, PauseMode.Send, PauseMode.Full);
        for (var i = 0; request.WakeOn is not null && i < request.WakeOn.Count; i++)
        {
            v.OneOf($"wake_on[{i}]", request.WakeOn[i], [.. WakeTriggers.All]);
        }
        ValidateSettings(v, request);
        v.ThrowIfInvalid();
        return await writes.RunAsync(async c =>
        {
            var agent = await FindOwnedAsync(workspace, agentId, c, track: true);
            Apply(agent, request);
            if (request.WakeOn is { } wakeOn)
            {
                agent.WakeOn = string.Join(' ', wakeOn.Distinct(StringComparer.Ordinal));
            }
            if (request.Paused is { } paused && paused != agent.Paused)
            {
                agent.Paused = paused;
                signals.Changed(agent.Id);
            }
            return agent.ToView();
        }, ct);
    }

    public static void ValidateSettings(Validator v, UpdateAgentRequest request)
    {
        ValidateProfile(v, request.DisplayName, request.Description);
        v.OneOf("inbox_mode", request.InboxMode, "open", "contacts_only");
        v.OneOf("group_invite_policy", request.GroupInvitePolicy, "open", "contacts_only");
    }

    public void Apply(Agent agent, UpdateAgentRequest request)
    {
        agent.DisplayName = request.DisplayName?.Trim() ?? agent.DisplayName;
        agent.Description = request.Description?.Trim() ?? agent.Description;
        agent.InboxMode = request.InboxMode ?? agent.InboxMode;
        agent.GroupInvitePolicy = request.GroupInvitePolicy ?? agent.GroupInvitePolicy;
        agent.Listed = request.Listed ?? agent.Listed;
        agent.UpdatedAt = Now;
    }

    /// <summary>
    /// Deletes an agent: its keys die and its sockets close, every module lets go of it (rooms, groups, leases,
    /// webhooks), its handle stays retired. Its messages remain. The default agent can go only when it is the last.
    /// </summary>
    public Task DeleteAsync(Workspace workspace, string agentId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.WorkspaceAgents(workspace.Id));
            var agent = await FindOwnedAsync(workspace, agentId, c, track: true);
            if (agent.IsDefault && await Db.Agents.AnyAsync(a => a.OwnerWorkspaceId == workspace.Id && a.Id != agent.Id && a.Status != AgentStatus.Deleted, c))
            {
                throw new ApiException(ErrorCodes.CannotDeleteDefault, "Make another agent the default before deleting this one.");
            }
            await DeleteAgentAsync(agent, c);
        }, ct);

    internal async Task DeleteAgentAsync(Agent agent, CancellationToken c)
    {
        var now = Now;
        agent.Status = AgentStatus.Deleted;
        agent.IsDefault = false;
        agent.UpdatedAt = now;
        await Db.SaveChangesAsync(c);
        await Db.ApiKeys.Where(k => k.AgentId == agent.Id && k.RevokedAt == null).ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), c);
        foreach (var step in deletionSteps)
        {
            await step.OnAgentDeletedAsync(agent.Id, c);
        }
        signals.RevokeAll(agent.Id);
    }

    public Task<AgentView> MakeDefaultAsync(Workspace workspace, string agentId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.WorkspaceAgents(workspace.Id));
            var agent = await FindOwnedAsync(workspace, agentId, c, track: true);
            if (agent.IsDefault)
            {
                throw new ApiException(ErrorCodes.AlreadyDefault, "This agent is already the default.");
            }
            await Db.Agents.Where(a => a.OwnerWorkspaceId == workspace.Id && a.IsDefault).ExecuteUpdateAsync(s => s.SetProperty(a => a.IsDefault, false), c);
            agent.IsDefault = true;
            return agent.ToView();
        }, ct);

    public async Task<KeyCreated> CreateKeyAsync(Workspace workspace, string agentId, CreateKeyRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var kind = v.Required("kind", request.Kind);
        v.OneOf("kind", request.Kind, KeyKinds.Secret, KeyKinds.Publishable);
        v.Name("name", request.Name, 0, 100);
        var scopes = ValidateScopes(v, request.Scopes);
        v.ThrowIfInvalid();
        return await writes.RunAsync(async c =>
        {
            var agent = await FindOwnedAsync(workspace, agentId, c);
            var (key, apiKey) = AddKey(agent.Id, kind, request.Name, scopes);
            return new KeyCreated(key.ToView(), apiKey);
        }, ct);
    }

    public async Task<Page<KeyView>> ListKeysAsync(Workspace workspace, string agentId, CancellationToken ct)
    {
        var agent = await FindOwnedAsync(workspace, agentId, ct);
        var keys = await Db.ApiKeys.AsNoTracking().Where(k => k.AgentId == agent.Id && k.RevokedAt == null).OrderBy(k => k.CreatedAt).ToListAsync(ct);
        return new Page<KeyView>([.. keys.Select(k => k.ToView())], null);
    }

    public Task RevokeKeyAsync(Workspace workspace, string agentId, string keyId, CancellationToken ct) =>
        writes.RunAsync(async c =>
        {
            var agent = await FindOwnedAsync(workspace, agentId, c);
            var now = Now;
            var storedId = CredentialFormat.StoredKeyId(keyId);
            var revoked = await Db.ApiKeys.Where(k => k.Id == storedId && k.AgentId == agent.Id && k.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), c);
            if (revoked == 0)
            {
                throw ApiErrors.NotFound();
            }
            signals.RevokeKey(agent.Id, storedId);
        }, ct);
}
