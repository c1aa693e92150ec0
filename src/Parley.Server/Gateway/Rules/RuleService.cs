using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Gateway;
using Parley.Server.Data;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Gateway.Rules;

/// <summary>The workspace's outbound rules and its gateway settings (policy mode, per-domain limit).</summary>
internal sealed class RuleService(Writes writes, Ids ids, TimeProvider time, PublicSuffixes suffixes, IOptions<GatewayOptions> options)
{
    private ParleyDb Db => writes.Db;

    public async Task<RuleView> CreateAsync(Workspace workspace, CreateRuleRequest request, CancellationToken ct)
    {
        var rule = new GatewayRule
        {
            Id = ids.New("rule"), WorkspaceId = workspace.Id, Name = "", HostPattern = "", PathPattern = "*", Action = "", Enabled = request.Enabled ?? true,
            PresentIdentity = request.PresentIdentity ?? false, CreatedAt = time.NowMs(),
        };
        await ApplyAsync(workspace.Id, rule, request.Name, request.HostPattern, request.PathPattern, request.Method, request.AgentId, request.Action,
            request.RateLimit, request.RateLimitWindow, creating: true, ct);
        rule.UpdatedAt = rule.CreatedAt;
        await writes.RunAsync(_ =>
        {
            Db.GatewayRules.Add(rule);
            return Task.CompletedTask;
        }, ct);
        return View(rule);
    }

    public async Task<RuleList> ListAsync(Workspace workspace, CancellationToken ct) =>
        new([.. (await Db.GatewayRules.AsNoTracking().Where(r => r.WorkspaceId == workspace.Id).OrderBy(r => r.Id).ToListAsync(ct)).Select(View)]);

    public async Task<RuleView> GetAsync(Workspace workspace, string id, CancellationToken ct) => View(await FindAsync(workspace.Id, id, ct));

    /// <summary>Changes a rule; an empty body is <c>VALIDATION_ERROR</c> ("At least one field must be provided").</summary>
    public async Task<RuleView> UpdateAsync(Workspace workspace, string id, UpdateRuleRequest request, CancellationToken ct)
    {
        if (request is { Name: null, HostPattern: null, PathPattern: null, Method: null, AgentId: null, Action: null, RateLimit: null, RateLimitWindow: null,
                Enabled: null, PresentIdentity: null })
        {
            throw ApiErrors.Validation(FieldNames.Body, "At least one field must be provided");
        }
        var rule = await writes.RunAsync(async c =>
        {
            var rule = await Db.GatewayRules.FirstOrDefaultAsync(r => r.Id == id && r.WorkspaceId == workspace.Id, c) ?? throw ApiErrors.NotFound();
            await ApplyAsync(workspace.Id, rule, request.Name ?? rule.Name, request.HostPattern ?? rule.HostPattern, request.PathPattern ?? rule.PathPattern,
                request.Method ?? rule.Method, request.AgentId ?? rule.AgentId, request.Action ?? rule.Action, request.RateLimit ?? rule.RateLimit,
                request.RateLimitWindow ?? rule.RateLimitWindow, creating: false, c);
            rule.Enabled = request.Enabled ?? rule.Enabled;
            rule.PresentIdentity = request.PresentIdentity ?? rule.PresentIdentity;
            rule.UpdatedAt = time.NowMs();
            return rule;
        }, ct);
        return View(rule);
    }

    public async Task DeleteAsync(Workspace workspace, string id, CancellationToken ct)
    {
        if (await writes.RunAsync(c => Db.GatewayRules.Where(r => r.Id == id && r.WorkspaceId == workspace.Id).ExecuteDeleteAsync(c), ct) == 0)
        {
            throw ApiErrors.NotFound();
        }
    }

    /// <summary>An <c>allow</c> rule for exactly this agent, method, host and path (an approval's <c>remember</c>), inside the caller's write.</summary>
    public GatewayRule Remember(string workspaceId, string agentId, string method, string host, int port, bool defaultPort, string path)
    {
        var now = time.NowMs();
        var rule = new GatewayRule
        {
            Id = ids.New("rule"), WorkspaceId = workspaceId, Name = $"approved: {method} {host}{path}", HostPattern = defaultPort ? host : $"{host}:{port}",
            PathPattern = path, Method = method, AgentId = agentId, Action = RuleActions.Allow, Enabled = true, CreatedAt = now, UpdatedAt = now,
        };
        Db.GatewayRules.Add(rule);
        return rule;
    }

    public async Task<GatewaySettingsView> GetSettingsAsync(Workspace workspace, CancellationToken ct) =>
        SettingsView(workspace.Id, await Db.GatewaySettings.AsNoTracking().FirstOrDefaultAsync(s => s.WorkspaceId == workspace.Id, ct));

    public async Task<GatewaySettingsView> SetSettingsAsync(Workspace workspace, GatewaySettingsRequest request, CancellationToken ct)
    {
        if (request is { PolicyMode: null, PerDomainPerMinute: null })
        {
            throw ApiErrors.Validation(FieldNames.Body, "At least one field must be provided");
        }
        var v = new Validator();
        v.OneOf("policy_mode", request.PolicyMode, "allow", "deny");
        if (request.PerDomainPerMinute is < 1 or > 1_000_000)
        {
            v.Add("per_domain_per_minute", "must be from 1 to 1000000");
        }
        v.ThrowIfInvalid();
        var settings = await writes.RunAsync(async c =>
        {
            var settings = await Db.GatewaySettings.FirstOrDefaultAsync(s => s.WorkspaceId == workspace.Id, c);
            if (settings is null)
            {
                settings = new GatewaySettings { WorkspaceId = workspace.Id, PolicyMode = "allow" };
                Db.GatewaySettings.Add(settings);
            }
            settings.PolicyMode = request.PolicyMode ?? settings.PolicyMode;
            settings.PerDomainPerMinute = request.PerDomainPerMinute ?? settings.PerDomainPerMinute;
            return settings;
        }, ct);
        return SettingsView(workspace.Id, settings);
    }

    public GatewaySettingsView SettingsView(string workspaceId, GatewaySettings? settings) =>
        new(workspaceId, settings?.PolicyMode ?? "allow", settings?.PerDomainPerMinute ?? options.Value.PerDomainPerMinute);

    private async Task ApplyAsync(string workspaceId, GatewayRule rule, string? name, string? host, string? path, string? method, string? agentId,
        string? action, long? rateLimit, string? window, bool creating, CancellationToken ct)
    {
        var v = new Validator();
        name = (creating ? v.Required("name", name) : name ?? "").Trim();
        v.Name("name", name, 1, 100);
        v.Length("method", method, 1, 10);
        if (Patterns.HostProblem(host, suffixes) is { } hostProblem)
        {
            v.Add("host_pattern", hostProblem);
        }
        if (Patterns.PathProblem(path) is { } pathProblem)
        {
            v.Add("path_pattern", pathProblem);
        }
        if (method is not null && (method.Length is 0 or > 10 || !method.All(char.IsAsciiLetter)))
        {
            v.Add("method", "must be an HTTP method such as GET or POST");
        }
        if (creating)
        {
            v.Required("action", action);
        }
        v.OneOf("action", action, [.. RuleActions.All]);
        v.OneOf("rate_limit_window", window, "minute", "hour", "day");
        if (action == RuleActions.RateLimit ? rateLimit is null || window is null : rateLimit is not null || window is not null)
        {
            v.Add("rate_limit", action == RuleActions.RateLimit
                ? creating ? "rateLimit and rateLimitWindow are required when action is rate_limit" : "Rate limit rules require a rate limit and window"
                : "rate_limit and rate_limit_window belong to rate_limit rules only");
        }
        if (rateLimit is < 1 or > 1_000_000)
        {
            v.Add("rate_limit", "must be from 1 to 1000000");
        }
        v.ThrowIfInvalid();
        string? agent = null;
        if (agentId is not null)
        {
            var found = await AgentQueries.ByNameAsync(Db, agentId, ct);
            agent = found is { Status: not AgentStatus.Deleted } && found.OwnerWorkspaceId == workspaceId
                ? found.Id
                : throw new ApiException(ErrorCodes.AgentNotFound, $"No agent '{agentId}' in this workspace.");
        }
        rule.Name = name;
        rule.HostPattern = host!.ToLowerInvariant();
        rule.PathPattern = path ?? "*";
        rule.Method = method?.ToUpperInvariant();
        rule.AgentId = agent;
        rule.Action = action!;
        rule.RateLimit = action == RuleActions.RateLimit ? rateLimit : null;
        rule.RateLimitWindow = action == RuleActions.RateLimit ? window : null;
    }

    private async Task<GatewayRule> FindAsync(string workspaceId, string id, CancellationToken ct) =>
        await Db.GatewayRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id && r.WorkspaceId == workspaceId, ct) ?? throw ApiErrors.NotFound();

    public static RuleView View(GatewayRule r) => new(r.Id, r.Name, r.HostPattern, r.PathPattern, r.Method, r.AgentId, r.Action, r.RateLimit,
        r.RateLimitWindow, r.Enabled, r.PresentIdentity, Clock.Time(r.CreatedAt), Clock.Time(r.UpdatedAt));
}
