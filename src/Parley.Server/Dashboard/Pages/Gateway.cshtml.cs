using Microsoft.AspNetCore.Mvc;
using Parley.Client;
using Parley.Contracts.Gateway;

namespace Parley.Server.Dashboard.Pages;

/// <summary>The gateway: calls waiting for approval (approve or deny), the vault (values never shown), rules, explain, the log.</summary>
public sealed class GatewayModel : DashboardPage
{
    [BindProperty(SupportsGet = true)]
    public string? ExplainAgent { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ExplainMethod { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ExplainUrl { get; set; }

    public IReadOnlyList<ApprovalView> Approvals { get; private set; } = [];
    public IReadOnlyList<VaultEntryView> Vault { get; private set; } = [];
    public IReadOnlyList<RuleView> Rules { get; private set; } = [];
    public IReadOnlyList<GatewayLogView> Log { get; private set; } = [];
    public ExplainView? Explained { get; private set; }

    public async Task OnGetAsync()
    {
        var ct = HttpContext.RequestAborted;
        Approvals = (await Api.ListApprovalsAsync(WorkspaceId, "pending", cancellationToken: ct)).Data;
        Vault = (await Api.ListVaultEntriesAsync(WorkspaceId, ct)).Data;
        Rules = (await Api.ListRulesAsync(WorkspaceId, ct)).Data;
        Log = (await Api.ListGatewayLogAsync(WorkspaceId, limit: 50, cancellationToken: ct)).Data;
        if (!string.IsNullOrEmpty(ExplainAgent) && Uri.TryCreate(ExplainUrl, UriKind.Absolute, out var url))
        {
            try
            {
                Explained = await Api.ExplainCallAsync(WorkspaceId, ExplainAgent.TrimStart('@'), ExplainMethod ?? "GET", url, ct);
            }
            catch (ParleyApiException e)
            {
                Error = Describe(e);
            }
        }
    }

    public Task<IActionResult> OnPostDecideAsync(string approval, string decision, bool remember) => ActAsync(async () =>
    {
        var decided = await Api.DecideApprovalAsync(approval, decision == "approve", remember, HttpContext.RequestAborted);
        return $"The call was {decided.Status}.";
    });

    public Task<IActionResult> OnPostAddEntryAsync(string name, string host, string? header, string? format, string value) => ActAsync(async () =>
    {
        var entry = await Api.CreateVaultEntryAsync(WorkspaceId, new CreateVaultEntryRequest(name, host, null,
            new Injection("header", string.IsNullOrWhiteSpace(header) ? "Authorization" : header, string.IsNullOrWhiteSpace(format) ? null : format), value),
            HttpContext.RequestAborted);
        return $"{entry.Name} was added (…{entry.ValueLast4}).";
    });

    public Task<IActionResult> OnPostRotateEntryAsync(string entry, string value) => ActAsync(async () =>
    {
        var rotated = await Api.UpdateVaultEntryAsync(WorkspaceId, entry, new UpdateVaultEntryRequest(Value: value), HttpContext.RequestAborted);
        return $"{rotated.Name} now ends …{rotated.ValueLast4}.";
    });

    public Task<IActionResult> OnPostDeleteEntryAsync(string entry) => ActAsync(async () =>
    {
        await Api.DeleteVaultEntryAsync(WorkspaceId, entry, HttpContext.RequestAborted);
        return "The vault entry was deleted.";
    });

    public Task<IActionResult> OnPostAddRuleAsync(string name, string host, string? method, string action) => ActAsync(async () =>
    {
        var rule = await Api.CreateRuleAsync(WorkspaceId, new CreateRuleRequest(name, host, null, string.IsNullOrWhiteSpace(method) ? null : method, null, action),
            HttpContext.RequestAborted);
        return $"Rule {rule.Name} was added.";
    });

    public Task<IActionResult> OnPostDeleteRuleAsync(string rule) => ActAsync(async () =>
    {
        await Api.DeleteRuleAsync(WorkspaceId, rule, HttpContext.RequestAborted);
        return "The rule was deleted.";
    });
}
