using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Parley.Contracts.Errors;
using Parley.Contracts.Gateway;
using Parley.Contracts.Sessions;
using Parley.Server.Data;
using Parley.Server.Gateway.Vault;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Sessions;

/// <summary>
/// A workspace's model providers (sessions.md): OpenAI-compatible endpoints. The key goes into the vault as an entry for
/// the provider's host (<c>Authorization: Bearer</c>), so every call to it is a governed call like any other.
/// </summary>
internal sealed class ModelService(Writes writes, Ids ids, TimeProvider time, VaultService vault)
{
    private ParleyDb Db => writes.Db;

    public async Task<ModelProviderView> CreateAsync(Caller caller, Workspace workspace, CreateModelProviderRequest request, CancellationToken ct)
    {
        var v = new Validator();
        var name = v.Required("name", request.Name).Trim();
        var models = (request.Models ?? []).Select(m => m.Trim()).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (models.Count == 0)
        {
            v.Add("models", "name at least one model");
        }
        var defaultModel = v.Required("default_model", request.DefaultModel).Trim();
        v.Length("name", request.Name, 1, 100);
        v.Length("base_url", request.BaseUrl, 1, 2048);
        v.Length("api_key", request.ApiKey, 1, 8192);
        v.Length("default_model", request.DefaultModel, 1, 200);
        CheckModels(v, request.Models);
        if (defaultModel.Length > 0 && !models.Contains(defaultModel))
        {
            v.Add("default_model", "must be one of models");
        }
        v.ThrowIfInvalid();
        var baseUrl = BaseUrl(request.BaseUrl);
        string? keyEntry = null;
        if (request.ApiKey is { } key)
        {
            keyEntry = (await vault.CreateAsync(caller, workspace, new CreateVaultEntryRequest($"{name} (model provider)",
                baseUrl.IsDefaultPort ? baseUrl.Host : $"{baseUrl.Host}:{baseUrl.Port}", null, new Injection("header", "Authorization", "Bearer {value}"), key), ct)).Id;
        }
        var provider = new ModelProvider
        {
            Id = ids.New("mdl"), WorkspaceId = workspace.Id, Name = name, BaseUrl = baseUrl.ToString().TrimEnd('/'), Models = JsonSerializer.Serialize(models),
            DefaultModel = defaultModel, KeyEntryId = keyEntry, CreatedAt = time.NowMs(),
        };
        await writes.RunAsync(_ =>
        {
            Db.ModelProviders.Add(provider);
            return Task.CompletedTask;
        }, ct);
        return View(provider);
    }

    public async Task<ModelProviderList> ListAsync(Workspace workspace, CancellationToken ct) =>
        new([.. (await Db.ModelProviders.AsNoTracking().Where(p => p.WorkspaceId == workspace.Id).OrderBy(p => p.Id).ToListAsync(ct)).Select(View)]);

    public async Task<ModelProviderView> GetAsync(Workspace workspace, string id, CancellationToken ct) => View(await FindAsync(workspace.Id, id, ct));

    public async Task<ModelProviderView> UpdateAsync(Workspace workspace, string id, UpdateModelProviderRequest request, CancellationToken ct)
    {
        if (request is { Name: null, Models: null, DefaultModel: null })
        {
            throw ApiErrors.Validation(FieldNames.Body, "No fields to update");
        }
        var check = new Validator();
        check.Length("name", request.Name, 1, 100);
        check.Length("default_model", request.DefaultModel, 1, 200);
        CheckModels(check, request.Models);
        check.ThrowIfInvalid();
        var provider = await writes.RunAsync(async c =>
        {
            var row = await Db.ModelProviders.FirstOrDefaultAsync(p => p.Id == id && p.WorkspaceId == workspace.Id, c) ?? throw ApiErrors.NotFound();
            var models = request.Models?.Select(m => m.Trim()).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal).ToList()
                ?? JsonSerializer.Deserialize<List<string>>(row.Models)!;
            var defaultModel = request.DefaultModel?.Trim() ?? row.DefaultModel;
            var v = new Validator();
            if (models.Count == 0)
            {
                v.Add("models", "name at least one model");
            }
            if (!models.Contains(defaultModel))
            {
                v.Add("default_model", "must be one of models");
            }
            v.ThrowIfInvalid();
            row.Name = request.Name?.Trim() ?? row.Name;
            row.Models = JsonSerializer.Serialize(models);
            row.DefaultModel = defaultModel;
            return row;
        }, ct);
        return View(provider);
    }

    public async Task DeleteAsync(Workspace workspace, string id, CancellationToken ct)
    {
        if (await writes.RunAsync(c => Db.ModelProviders.Where(p => p.Id == id && p.WorkspaceId == workspace.Id).ExecuteDeleteAsync(c), ct) == 0)
        {
            throw ApiErrors.NotFound();
        }
    }

    /// <summary>The provider that serves <paramref name="model"/> in the workspace (or the first provider's default model when none is named).</summary>
    public async Task<(ModelProvider Provider, string Model)> ForModelAsync(string workspaceId, string? model, CancellationToken ct)
    {
        var providers = await Db.ModelProviders.AsNoTracking().Where(p => p.WorkspaceId == workspaceId).OrderBy(p => p.Id).ToListAsync(ct);
        if (model is null)
        {
            return providers.Count > 0
                ? (providers[0], providers[0].DefaultModel)
                : throw ApiErrors.Validation("model", "the workspace has no model provider (POST /v1/workspaces/{ws}/models)");
        }
        var provider = providers.FirstOrDefault(p => JsonSerializer.Deserialize<List<string>>(p.Models)!.Contains(model))
            ?? throw ApiErrors.Validation("model", $"no model provider of the workspace serves '{model}'");
        return (provider, model);
    }

    private static void CheckModels(Validator v, IReadOnlyList<string>? models)
    {
        if (models is { Count: > 50 })
        {
            v.Add("models", "at most 50 models");
        }
        for (var i = 0; i < (models?.Count ?? 0); i++)
        {
            v.Length($"models[{i}]", models![i], 1, 200);
        }
    }

    private static Uri BaseUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0
            ? url
            : throw new ApiException(ErrorCodes.InvalidUrl, "A provider's base_url starts with http:// or https://.", ApiErrors.Details(("field", "base_url")));

    private async Task<ModelProvider> FindAsync(string workspaceId, string id, CancellationToken ct) =>
        await Db.ModelProviders.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && p.WorkspaceId == workspaceId, ct) ?? throw ApiErrors.NotFound();

    private static ModelProviderView View(ModelProvider p) =>
        new(p.Id, p.Name, p.BaseUrl, JsonSerializer.Deserialize<List<string>>(p.Models)!, p.DefaultModel, p.KeyEntryId, Clock.Time(p.CreatedAt));
}
