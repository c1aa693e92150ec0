using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Gateway;
using Parley.Contracts.Json;
using Parley.Server.Data;
using Parley.Server.Governance.Plans;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Security;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Gateway.Vault;

/// <summary>
/// The workspace's credentials for outbound calls (gateway.md, Vault). Values are sealed under the master key as they
/// arrive and opened only to inject them into a call; no answer, log line or error ever carries one.
/// </summary>
internal sealed class VaultService(Writes writes, Ids ids, TimeProvider time, SecretBox box, PlanCatalog plans, PublicSuffixes suffixes)
{
    public const string SealPurpose = "vault";
    private ParleyDb Db => writes.Db;

    public async Task<VaultEntryView> CreateAsync(Caller caller, Workspace workspace, CreateVaultEntryRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var name = v.Required("name", request.Name).Trim();
        v.Name("name", name, 1, 100);
        var host = HostPattern(v, request.HostPattern);
        var path = PathPattern(v, request.PathPattern);
        var injection = Validate(v, request.Injection, request.Value);
        v.Required("value", request.Value);
        v.Length("value", request.Value, 1, 8192);
        v.ThrowIfInvalid();
        var agentIds = await AgentIdsAsync(workspace.Id, request.AgentIds, ct);
        var entry = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.WorkspaceVault(workspace.Id));
            PlanCatalog.EnsureBelowLimit("vault_entries", plans.Get(workspace.Plan).MaxVaultEntries, await CountAsync(Db, workspace.Id, c));
            await EnsureFreeAsync(workspace.Id, host, path, null, c);
            var now = time.NowMs();
            var entry = new VaultEntry
            {
                Id = ids.New("sec"), WorkspaceId = workspace.Id, Name = name, HostPattern = host, PathPattern = path,
                Injection = JsonSerializer.Serialize(injection, ParleyJson.Options), Value = Seal(request.Value!), ValueLast4 = Last4(request.Value!),
                AgentIds = agentIds is null ? null : JsonSerializer.Serialize(agentIds), CreatedBy = caller.Id, CreatedAt = now, UpdatedAt = now,
            };
            Db.VaultEntries.Add(entry);
            return entry;
        }, ct);
        return View(entry);
    }

    public async Task<VaultEntryList> ListAsync(Workspace workspace, CancellationToken ct) =>
        new([.. (await Db.VaultEntries.AsNoTracking().Where(e => e.WorkspaceId == workspace.Id).OrderBy(e => e.Id).ToListAsync(ct)).Select(View)]);

    public async Task<VaultEntryView> GetAsync(Workspace workspace, string id, CancellationToken ct) => View(await FindAsync(workspace.Id, id, ct));

    /// <summary>Changes fields or rotates the value; an empty body is <c>VALIDATION_ERROR</c> ("No fields to update").</summary>
    public async Task<VaultEntryView> UpdateAsync(Workspace workspace, string id, UpdateVaultEntryRequest request, CancellationToken ct)
    {
        if (request is { Name: null, HostPattern: null, PathPattern: null, Injection: null, Value: null, AgentIds: null })
        {
            throw ApiErrors.Validation(FieldNames.Body, "No fields to update");
        }
        var current = await FindAsync(workspace.Id, id, ct);
        var v = new Validator();
        var name = request.Name?.Trim() ?? current.Name;
        v.Name("name", name, 1, 100);
        var host = request.HostPattern is null ? current.HostPattern : HostPattern(v, request.HostPattern);
        var path = request.PathPattern is null ? current.PathPattern : PathPattern(v, request.PathPattern);
        v.Length("value", request.Value, 1, 8192);
        var injection = request.Injection is null && request.Value is null
            ? null
            : Validate(v, request.Injection ?? InjectionOf(current), request.Value ?? Open(current));
        v.ThrowIfInvalid();
        var agentIds = request.AgentIds is null ? null : await AgentIdsAsync(workspace.Id, request.AgentIds, ct);
        var entry = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.WorkspaceVault(workspace.Id));
            var entry = await Db.VaultEntries.FirstOrDefaultAsync(e => e.Id == id && e.WorkspaceId == workspace.Id, c) ?? throw ApiErrors.NotFound();
            await EnsureFreeAsync(workspace.Id, host, path, id, c);
            entry.Name = name;
            entry.HostPattern = host;
            entry.PathPattern = path;
            if (injection is not null)
            {
                entry.Injection = JsonSerializer.Serialize(injection, ParleyJson.Options);
            }
            if (request.Value is { } value)
            {
                entry.Value = Seal(value);
                entry.ValueLast4 = Last4(value);
            }
            if (request.AgentIds is not null)
            {
                entry.AgentIds = agentIds is { Count: > 0 } ? JsonSerializer.Serialize(agentIds) : null;
            }
            entry.UpdatedAt = time.NowMs();
            return entry;
        }, ct);
        return View(entry);
    }

    public async Task DeleteAsync(Workspace workspace, string id, CancellationToken ct)
    {
        var deleted = await writes.RunAsync(c => Db.VaultEntries.Where(e => e.Id == id && e.WorkspaceId == workspace.Id).ExecuteDeleteAsync(c), ct);
        if (deleted == 0)
        {
            throw ApiErrors.NotFound();
        }
    }

    /// <summary>
    /// The entries of a workspace that may go into a call of this agent (the matching by host and path is the
    /// caller's); for a call made for a person (no agent), only entries not limited to some agents.
    /// </summary>
    public async Task<List<VaultEntry>> ForAgentAsync(string workspaceId, string? agentId, CancellationToken ct) =>
        [.. (await Db.VaultEntries.AsNoTracking().Where(e => e.WorkspaceId == workspaceId).ToListAsync(ct))
            .Where(e => e.AgentIds is null || (agentId is not null && JsonSerializer.Deserialize<List<string>>(e.AgentIds)!.Contains(agentId)))];

    public string Open(VaultEntry entry) => Encoding.UTF8.GetString(box.Open(entry.Value, SealPurpose));

    public static Injection InjectionOf(VaultEntry entry) => JsonSerializer.Deserialize<Injection>(entry.Injection, ParleyJson.Options)!;

    public static Task<int> CountAsync(ParleyDb db, string workspaceId, CancellationToken ct) => db.VaultEntries.CountAsync(e => e.WorkspaceId == workspaceId, ct);

    private byte[] Seal(string value) => box.Seal(Encoding.UTF8.GetBytes(value), SealPurpose);

    private static string Last4(string value) => value.Length <= 4 ? value : value[^4..];

    private string HostPattern(Validator v, string? pattern)
    {
        if (Patterns.HostProblem(pattern, suffixes) is { } problem)
        {
            v.Add("host_pattern", problem);
            return "";
        }
        return pattern!.ToLowerInvariant();
    }

    private static string PathPattern(Validator v, string? pattern)
    {
        if (Patterns.PathProblem(pattern) is { } problem)
        {
            v.Add("path_pattern", problem);
        }
        return pattern ?? "*";
    }

    /// <summary>The injection with its defaults, checked with the value it will carry.</summary>
    private static Injection? Validate(Validator v, Injection? injection, string? value)
    {
        if (injection is null)
        {
            v.Add("injection", "is required");
            return null;
        }
        v.Length("injection.header_name", injection.HeaderName, 0, 100);
        v.Length("injection.value_format", injection.ValueFormat, 0, 500);
        v.Length("injection.param_name", injection.ParamName, 0, 100);
        v.Length("injection.template", injection.Template, 0, 1000);
        switch (injection.Kind)
        {
            case "header":
                if (string.IsNullOrWhiteSpace(injection.HeaderName))
                {
                    v.Add("injection.header_name", "Header name, parameter name, or URL path template is required");
                }
                else if (!injection.HeaderName.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c))
                    || HopByHop.Contains(injection.HeaderName) || injection.HeaderName.Equals("host", StringComparison.OrdinalIgnoreCase))
                {
                    v.Add("injection.header_name", "must be an HTTP header name other than Host and the hop-by-hop headers");
                }
                var format = injection.ValueFormat ?? "{value}";
                if (!format.Contains("{value}", StringComparison.Ordinal) || format.Any(char.IsControl))
                {
                    v.Add("injection.value_format", "must contain {value}");
                }
                if (value is not null && value.Any(char.IsControl))
                {
                    v.Add("value", "must not contain control characters (it goes into a header)");
                }
                return new Injection("header", injection.HeaderName, format);
            case "query":
                if (string.IsNullOrWhiteSpace(injection.ParamName))
                {
                    v.Add("injection.param_name", "Header name, parameter name, or URL path template is required");
                }
                return new Injection("query", ParamName: injection.ParamName);
            case "path":
                var template = injection.Template;
                if (string.IsNullOrWhiteSpace(template))
                {
                    v.Add("injection.template", "Header name, parameter name, or URL path template is required");
                }
                else if (!template.StartsWith('/') || CountOf(template, "{value}") != 1)
                {
                    v.Add("injection.template", "must start with / and contain {value} exactly once");
                }
                if (value is not null && value.Any(c => c is '/' or '?' or '#' or '%' or ' ' || char.IsControl(c)))
                {
                    v.Add("value", "must be path-safe for a path injection (no / ? # %, space or control character)");
                }
                return new Injection("path", Template: template);
            default:
                v.Add("injection.kind", "must be header, query or path");
                return null;
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    /// <summary>The header names a hop between client and server owns, never forwarded or injected.</summary>
    public static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    private async Task<List<string>?> AgentIdsAsync(string workspaceId, IReadOnlyList<string>? agents, CancellationToken ct)
    {
        if (agents is null or { Count: 0 })
        {
            return null;
        }
        var ids = new List<string>();
        foreach (var name in agents.Distinct(StringComparer.Ordinal))
        {
            var agent = await Identity.Agents.AgentQueries.ByNameAsync(Db, name, ct);
            if (agent is null || agent.OwnerWorkspaceId != workspaceId || agent.Status == Identity.Agents.AgentStatus.Deleted)
            {
                throw new ApiException(ErrorCodes.AgentNotFound, $"No agent '{name}' in this workspace.");
            }
            ids.Add(agent.Id);
        }
        return ids;
    }

    /// <summary><c>TOKEN_EXISTS</c> when another entry of the workspace has the same host and path patterns.</summary>
    private async Task EnsureFreeAsync(string workspaceId, string host, string path, string? except, CancellationToken c)
    {
        if (await Db.VaultEntries.AnyAsync(e => e.WorkspaceId == workspaceId && e.HostPattern == host && e.PathPattern == path && e.Id != except, c))
        {
            throw new ApiException(ErrorCodes.TokenExists, "A vault entry for this host and path pattern already exists.");
        }
    }

    private async Task<VaultEntry> FindAsync(string workspaceId, string id, CancellationToken ct) =>
        await Db.VaultEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id && e.WorkspaceId == workspaceId, ct) ?? throw ApiErrors.NotFound();

    private static VaultEntryView View(VaultEntry e) => new(e.Id, e.Name, e.HostPattern, e.PathPattern, InjectionOf(e), e.ValueLast4,
        e.AgentIds is null ? null : JsonSerializer.Deserialize<List<string>>(e.AgentIds), Clock.Time(e.CreatedAt), Clock.Time(e.UpdatedAt));
}

/// <summary>The vault entries a workspace has, as its plan's <c>max_vault_entries</c> counts them.</summary>
internal sealed class VaultEntryCount(Writes writes) : Governance.IWorkspaceCount
{
    public string Name => "vault_entries";

    public async Task<long> CountAsync(string workspaceId, CancellationToken ct) => await VaultService.CountAsync(writes.Db, workspaceId, ct);
}
