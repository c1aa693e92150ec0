using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Gateway;
using Parley.Contracts.Json;
using Parley.Server.Data;
using Parley.Server.Gateway.Calls;
using Parley.Server.Gateway.Vault;
using Parley.Server.Governance.Plans;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Gateway.Sites;

/// <summary>
/// Sites and their tools (gateway.md): a site's manifest is found at <c>/.well-known/webmcp.json</c>, then
/// <c>/webmcp.json</c>, then <c>/api/webmcp/manifest</c> under its URL, checked field by field, and kept; its tools are
/// called as governed calls (<c>POST {server.url}/tools/{tool}</c>, via <c>tool</c>) with the arguments checked against
/// the tool's schema first. A token given with a site becomes a vault entry for the server's host.
/// </summary>
internal sealed class SiteService(Writes writes, Ids ids, TimeProvider time, OutboundHttp outbound, VaultService vault, GovernedCalls calls,
    PlanCatalog plans)
{
    public static readonly string[] ManifestPaths = ["/.well-known/webmcp.json", "/webmcp.json", "/api/webmcp/manifest"];
    private const int MaxManifestBytes = 1024 * 1024;
    private ParleyDb Db => writes.Db;

    public async Task<SiteWithTools> CreateAsync(Caller caller, Workspace workspace, CreateSiteRequest request, CancellationToken ct)
    {
        var check = new Validator();
        check.Length("url", request.Url, 1, 2048);
        check.Length("token", request.Token, 1, 8192);
        check.ThrowIfInvalid();
        var url = SiteUrl(request.Url);
        var (manifestUrl, manifest) = await DiscoverAsync(url, ct);
        var site = await writes.RunAsync(async c =>
        {
            await writes.LockAsync(c, LockKeys.WorkspaceVault(workspace.Id));
            PlanCatalog.EnsureBelowLimit("sites", plans.Get(workspace.Plan).MaxSites, await CountAsync(Db, workspace.Id, c));
            var now = time.NowMs();
            var site = new Site
            {
                Id = ids.New("site"), WorkspaceId = workspace.Id, Url = url.ToString(), ManifestUrl = manifestUrl, Name = manifest.Name, Version = manifest.Version,
                ServerUrl = manifest.ServerUrl, AuthType = manifest.AuthType, Tools = JsonSerializer.Serialize(manifest.Tools, ParleyJson.Options),
                PresentIdentity = request.PresentIdentity ?? false, CreatedAt = now, RefreshedAt = now,
            };
            Db.Sites.Add(site);
            return site;
        }, ct);
        if (request.Token is { } token)
        {
            try
            {
                var server = new Uri(manifest.ServerUrl);
                var entry = await vault.CreateAsync(caller, workspace, new CreateVaultEntryRequest($"{manifest.Name} token", server.IsDefaultPort ? server.Host : $"{server.Host}:{server.Port}",
                    null, new Injection("header", "Authorization", "Bearer {value}"), token), ct);
                await writes.RunAsync(c => Db.Sites.Where(s => s.Id == site.Id).ExecuteUpdateAsync(x => x.SetProperty(s => s.TokenEntryId, entry.Id), c), ct);
                site.TokenEntryId = entry.Id;
            }
            catch (ApiException)
            {
                // TOKEN_EXISTS (or the vault's cap): the site is not added without its token.
                await writes.RunAsync(c => Db.Sites.Where(s => s.Id == site.Id).ExecuteDeleteAsync(c), CancellationToken.None);
                throw;
            }
        }
        return View(site);
    }

    public async Task<SiteList> ListAsync(string workspaceId, CancellationToken ct) =>
        new([.. (await Db.Sites.AsNoTracking().Where(s => s.WorkspaceId == workspaceId).OrderBy(s => s.Id).ToListAsync(ct)).Select(View)]);

    /// <summary>Fetches the manifest again and keeps what it says now.</summary>
    public async Task<SiteWithTools> RefreshAsync(Workspace workspace, string siteId, CancellationToken ct)
    {
        var site = await FindAsync(workspace.Id, siteId, ct);
        var (manifestUrl, manifest) = await DiscoverAsync(new Uri(site.Url), ct);
        var refreshed = await writes.RunAsync(async c =>
        {
            var row = await Db.Sites.FirstAsync(s => s.Id == siteId, c);
            row.ManifestUrl = manifestUrl;
            row.Name = manifest.Name;
            row.Version = manifest.Version;
            row.ServerUrl = manifest.ServerUrl;
            row.AuthType = manifest.AuthType;
            row.Tools = JsonSerializer.Serialize(manifest.Tools, ParleyJson.Options);
            row.RefreshedAt = time.NowMs();
            return row;
        }, ct);
        return View(refreshed);
    }

    public async Task DeleteAsync(Workspace workspace, string siteId, CancellationToken ct)
    {
        if (await writes.RunAsync(c => Db.Sites.Where(s => s.Id == siteId && s.WorkspaceId == workspace.Id).ExecuteDeleteAsync(c), ct) == 0)
        {
            throw ApiErrors.NotFound();
        }
    }

    /// <summary>An agent calls a site's tool: arguments checked against its schema, then one governed call.</summary>
    public Task<ToolCallResult> CallToolAsync(Caller caller, string siteId, string toolName, ToolCallRequest request, CancellationToken ct) =>
        CallToolAsync(CallActor.Of(caller), siteId, toolName,
            request.Arguments is { ValueKind: not JsonValueKind.Undefined } given ? given : JsonDocument.Parse("{}").RootElement, ct);

    /// <summary>The tools of the workspace's sites, by site (what a model session offers the model).</summary>
    public async Task<List<(Site Site, SiteTool Tool)>> ToolsAsync(string workspaceId, IReadOnlyCollection<string> siteIds, CancellationToken ct) =>
        [.. (await Db.Sites.AsNoTracking().Where(s => s.WorkspaceId == workspaceId && siteIds.Contains(s.Id)).OrderBy(s => s.Id).ToListAsync(ct))
            .SelectMany(site => ToolsOf(site).Select(tool => (site, tool)))];

    /// <summary>A tool call for an agent or a person's model session: arguments checked against the tool's schema, then one governed call.</summary>
    public async Task<ToolCallResult> CallToolAsync(CallActor actor, string siteId, string toolName, JsonElement arguments, CancellationToken ct)
    {
        var site = await FindAsync(actor.WorkspaceId, siteId, ct);
        var tool = ToolsOf(site).FirstOrDefault(t => t.Name == toolName) ?? throw new ApiException(ErrorCodes.NotFound, $"The site has no tool '{toolName}'.");
        if (JsonSchemas.Compile(tool.InputSchema) is { } schema)
        {
            JsonSchemas.ThrowIfInvalid(schema, arguments, $"The arguments do not meet the input schema of '{toolName}'.");
        }
        var target = new Uri(site.ServerUrl.TrimEnd('/') + "/tools/" + Uri.EscapeDataString(toolName));
        var outcome = await calls.CallAsync(actor, new OutboundRequest("POST", target, [new("Content-Type", "application/json")],
            Encoding.UTF8.GetBytes(arguments.GetRawText())), new CallSettings(CallVia.Tool, PresentIdentity: site.PresentIdentity), ct);
        var status = outcome.Response.Status;
        if (status is < 200 or > 299)
        {
            throw new ApiException(ErrorCodes.UpstreamError, $"The tool '{toolName}' answered {status}.",
                ApiErrors.Details(("upstream_status", status), ("upstream", "site")));
        }
        JsonElement result;
        try
        {
            result = outcome.Response.Body.Length == 0 ? JsonDocument.Parse("null").RootElement : JsonDocument.Parse(outcome.Response.Body).RootElement.Clone();
        }
        catch (JsonException)
        {
            result = JsonSerializer.SerializeToElement(Encoding.UTF8.GetString(outcome.Response.Body));
        }
        return new ToolCallResult(result, outcome.LogId);
    }

    public static Task<int> CountAsync(ParleyDb db, string workspaceId, CancellationToken ct) => db.Sites.CountAsync(s => s.WorkspaceId == workspaceId, ct);

    private static Uri SiteUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0
            ? url
            : throw new ApiException(ErrorCodes.InvalidUrl, "A site's URL starts with http:// or https://.", ApiErrors.Details(("field", "url")));

    private sealed record Manifest(string Name, string Version, string ServerUrl, string AuthType, List<SiteTool> Tools);

    /// <summary>The first manifest found at the three paths; <c>NOT_FOUND {tried}</c> when none answers with one.</summary>
    private async Task<(string Url, Manifest Manifest)> DiscoverAsync(Uri site, CancellationToken ct)
    {
        var tried = new List<string>();
        foreach (var path in ManifestPaths)
        {
            var candidate = new Uri(site, path);
            tried.Add(candidate.ToString());
            if (outbound.IsRefusedLiteral(candidate))
            {
                throw new ApiException(ErrorCodes.PolicyBlocked, "The site is at a private, loopback or link-local address.",
                    ApiErrors.Details(("rule_id", null), ("rule_name", null), ("reason", "private_address")));
            }
            JsonElement? document;
            try
            {
                document = await FetchAsync(candidate, ct);
            }
            catch (HttpRequestException e) when (e.Message.StartsWith(OutboundHttp.RefusedPrefix, StringComparison.Ordinal))
            {
                throw new ApiException(ErrorCodes.PolicyBlocked, "The site is at a private, loopback or link-local address.",
                    ApiErrors.Details(("rule_id", null), ("rule_name", null), ("reason", "private_address")));
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                document = null;
            }
            if (document is { } json)
            {
                return (candidate.ToString(), Validate(json));
            }
        }
        throw new ApiException(ErrorCodes.NotFound, "No manifest at any of the usual paths.", ApiErrors.Details(("tried", tried)));
    }

    private async Task<JsonElement?> FetchAsync(Uri url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var response = await outbound.Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }
        var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        if (bytes.Length > MaxManifestBytes)
        {
            return null;
        }
        try
        {
            return JsonDocument.Parse(bytes).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ApiErrors.Validation("$", "the manifest is not JSON");
        }
    }

    /// <summary>The manifest's fields, each problem named by its path (<c>tools[2].input_schema</c>).</summary>
    private static Manifest Validate(JsonElement json)
    {
        var v = new Validator();
        string Text(JsonElement parent, string name, string field)
        {
            if (parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                && value.GetString() is { Length: > 0 } text)
            {
                return text;
            }
            v.Add(field, "is required (a non-empty string)");
            return "";
        }
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw ApiErrors.Validation("$", "the manifest must be a JSON object");
        }
        var name = Text(json, "name", "name");
        var version = Text(json, "version", "version");
        var server = json.TryGetProperty("server", out var s) ? s : default;
        var serverUrl = Text(server, "url", "server.url");
        if (serverUrl.Length > 0 && !(Uri.TryCreate(serverUrl, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
        {
            v.Add("server.url", "must be an absolute http(s) URL");
        }
        var auth = json.TryGetProperty("auth", out var a) ? a : default;
        var authType = Text(auth, "type", "auth.type");
        if (authType.Length > 0 && authType is not ("bearer" or "oauth2"))
        {
            v.Add("auth.type", "must be bearer or oauth2");
        }
        var tools = new List<SiteTool>();
        if (!json.TryGetProperty("tools", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            v.Add("tools", "is required (an array)");
        }
        else
        {
            var index = 0;
            foreach (var tool in list.EnumerateArray())
            {
                var prefix = $"tools[{index++}]";
                var toolName = Text(tool, "name", prefix + ".name");
                var description = Text(tool, "description", prefix + ".description");
                if (tools.Any(t => t.Name == toolName) && toolName.Length > 0)
                {
                    v.Add(prefix + ".name", "is used by another tool");
                }
                var schema = tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("input_schema", out var given) ? given : default;
                if (schema.ValueKind != JsonValueKind.Object || JsonSchemas.Compile(schema) is null)
                {
                    v.Add(prefix + ".input_schema", "must be a JSON Schema object");
                }
                tools.Add(new SiteTool(toolName, description, schema.ValueKind == JsonValueKind.Undefined ? default : schema.Clone()));
            }
        }
        v.ThrowIfInvalid("The site's manifest is not valid.");
        return new Manifest(name, version, serverUrl, authType, tools);
    }

    private async Task<Site> FindAsync(string workspaceId, string siteId, CancellationToken ct) =>
        await Db.Sites.AsNoTracking().FirstOrDefaultAsync(s => s.Id == siteId && s.WorkspaceId == workspaceId, ct) ?? throw ApiErrors.NotFound();

    private static List<SiteTool> ToolsOf(Site site) => JsonSerializer.Deserialize<List<SiteTool>>(site.Tools, ParleyJson.Options)!;

    private static SiteWithTools View(Site s) => new(new SiteView(s.Id, s.Url, s.ManifestUrl, s.Name, s.Version, s.ServerUrl, s.AuthType, s.PresentIdentity,
        s.TokenEntryId, Clock.Time(s.CreatedAt), Clock.Time(s.RefreshedAt)), ToolsOf(s));
}

/// <summary>The sites a workspace has, as its plan's <c>max_sites</c> counts them.</summary>
internal sealed class SiteCount(Writes writes) : Governance.IWorkspaceCount
{
    public string Name => "sites";

    public async Task<long> CountAsync(string workspaceId, CancellationToken ct) => await SiteService.CountAsync(writes.Db, workspaceId, ct);
}
