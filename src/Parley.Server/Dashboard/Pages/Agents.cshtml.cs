using Microsoft.AspNetCore.Mvc;
using Parley.Client;
using Parley.Contracts.Identity;

namespace Parley.Server.Dashboard.Pages;

/// <summary>Agents: create (the key shown once, on this answer only), keys, pause and resume, what wakes them.</summary>
public sealed class AgentsModel : DashboardPage
{
    private readonly Dictionary<string, IReadOnlyList<KeyView>> _keys = new(StringComparer.Ordinal);

    public IReadOnlyList<AgentView> Agents { get; private set; } = [];

    /// <summary>The agent just created, with its key: rendered once, never stored or redirected with.</summary>
    public AgentCreated? Created { get; private set; }

    public IReadOnlyList<KeyView> KeysOf(string agentId) => _keys.TryGetValue(agentId, out var keys) ? keys : [];

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync(string handle)
    {
        try
        {
            Created = await Api.CreateAgentAsync(WorkspaceId, new CreateAgentRequest(handle), HttpContext.RequestAborted);
        }
        catch (ParleyApiException e)
        {
            Error = Describe(e);
        }
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostKeyAsync(string agent)
    {
        try
        {
            var key = await Api.CreateKeyAsync(WorkspaceId, agent, cancellationToken: HttpContext.RequestAborted);
            var view = (await Api.GetAgentAsync(WorkspaceId, agent, HttpContext.RequestAborted));
            Created = new AgentCreated(view, key.ApiKey);
        }
        catch (ParleyApiException e)
        {
            Error = Describe(e);
        }
        await LoadAsync();
        return Page();
    }

    public Task<IActionResult> OnPostRevokeAsync(string agent, string key) => ActAsync(async () =>
    {
        await Api.RevokeKeyAsync(WorkspaceId, agent, key, HttpContext.RequestAborted);
        return "The key was revoked.";
    });

    public Task<IActionResult> OnPostPauseAsync(string agent, string paused) => ActAsync(async () =>
    {
        var changed = await Api.UpdateAgentAsync(WorkspaceId, agent, new UpdateAgentRequest(Paused: paused), HttpContext.RequestAborted);
        return changed.Paused == "none" ? $"@{changed.Handle} resumed." : $"@{changed.Handle} paused.";
    });

    public Task<IActionResult> OnPostWakeAsync(string agent, string[]? wakeOn) => ActAsync(async () =>
    {
        var changed = await Api.UpdateAgentAsync(WorkspaceId, agent, new UpdateAgentRequest(WakeOn: wakeOn ?? []), HttpContext.RequestAborted);
        return $"@{changed.Handle} wakes on: {(changed.WakeOn.Count == 0 ? "nothing" : string.Join(", ", changed.WakeOn))}.";
    });

    private async Task LoadAsync()
    {
        Agents = (await Api.ListAgentsAsync(WorkspaceId, 100, cancellationToken: HttpContext.RequestAborted)).Data;
        if (CanAdminister)
        {
            foreach (var agent in Agents)
            {
                _keys[agent.Id] = (await Api.ListKeysAsync(WorkspaceId, agent.Id, HttpContext.RequestAborted)).Data;
            }
        }
    }
}
