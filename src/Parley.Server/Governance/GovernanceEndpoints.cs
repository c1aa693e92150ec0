using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Contracts.Identity;
using Parley.Server.Governance.Credits;
using Parley.Server.Governance.Plans;
using Parley.Server.Governance.Usage;
using Parley.Server.Identity.Auth;
using Parley.Server.Identity.Workspaces;
using Parley.Server.Platform.OpenApi;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Governance;

internal static class GovernanceEndpoints
{
    public static IEndpointRouteBuilder MapGovernance(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/plans", ListPlans).WithTags("Governance").RequireOwner()
            .WithName("ListPlans").WithSummary("Every plan with its limits and features.");

        var workspace = app.MapGroup("/v1/workspaces/{workspaceId}").WithTags("Governance").RequireOwner().RequireWorkspaceRole(Roles.Member);
        workspace.MapGet("/plan", WorkspacePlanAsync).WithName("GetWorkspacePlan")
            .WithSummary("The workspace's plan, its limits and what it uses, side by side.");
        workspace.MapGet("/usage", UsageAsync).WithName("GetUsage")
            .WithSummary("This month's meters with their quotas, and the storage gauge.");
        workspace.MapGet("/usage/daily", DailyAsync).WithName("GetDailyUsage")
            .WithSummary("One meter's count per day (UTC), oldest first, zeros included.");
        workspace.MapGet("/credits", BalanceAsync).WithName("GetCredits")
            .WithSummary("The credit balance, by source and expiry.");
        workspace.MapGet("/credits/ledger", LedgerAsync).WithName("ListCreditLedger")
            .WithSummary("The credit ledger, newest first.");

        var admin = app.MapGroup("/v1/admin/workspaces/{workspaceId}").WithTags("Admin").RequireOwner().RequireInstanceAdmin();
        admin.MapPut("/plan", SetPlanAsync).WithName("SetWorkspacePlan")
            .WithSummary("Put a workspace on a plan; it takes effect at once.").ProducesErrors(ErrorCodes.WorkspaceNotFound);
        admin.MapPost("/credits", GrantAsync).WithName("GrantCredits")
            .WithSummary("Grant credits (positive amount) or adjust the balance down (negative).").ProducesErrors(ErrorCodes.WorkspaceNotFound);
        return app;
    }

    private static Ok<PlanList> ListPlans(PlanService plans) => TypedResults.Ok(plans.List());

    private static async Task<Ok<WorkspacePlanView>> WorkspacePlanAsync(WorkspaceAccess access, PlanService plans, CancellationToken ct) =>
        TypedResults.Ok(await plans.WorkspacePlanAsync(access.Workspace.Id, access.Workspace.Plan, ct));

    private static async Task<Ok<UsageView>> UsageAsync(WorkspaceAccess access, UsageService usage, CancellationToken ct) =>
        TypedResults.Ok(await usage.UsageAsync(access.Workspace.Id, access.Workspace.Plan, ct));

    private static async Task<Ok<DailyUsage>> DailyAsync(
        [Required, AllowedValues(Meters.GovernedCalls, Meters.Runs, Meters.Messages, Meters.ModelTokens)] string? meter,
        [Range(1, UsageService.MaxDays)] int? days, WorkspaceAccess access, UsageService usage, CancellationToken ct) =>
        TypedResults.Ok(await usage.DailyAsync(access.Workspace.Id, meter, days, ct));

    private static async Task<Ok<CreditBalance>> BalanceAsync(WorkspaceAccess access, CreditLedger credits, CancellationToken ct) =>
        TypedResults.Ok(await credits.BalanceAsync(access.Workspace.Id, ct));

    private static async Task<Ok<Page<CreditEntry>>> LedgerAsync([Range(1, Paging.MaxLimit)] int? limit, string? cursor, WorkspaceAccess access,
        CreditLedger credits, CancellationToken ct) =>
        TypedResults.Ok(await credits.LedgerAsync(access.Workspace.Id, limit, cursor, ct));

    private static async Task<Ok<WorkspacePlanView>> SetPlanAsync(string workspaceId, SetPlanRequest request, PlanService plans, CancellationToken ct) =>
        TypedResults.Ok(await plans.SetAsync(workspaceId, request, ct));

    private static async Task<Created<CreditEntry>> GrantAsync(string workspaceId, CreditGrantRequest request, CreditLedger credits, CancellationToken ct) =>
        TypedResults.Created($"/v1/workspaces/{workspaceId}/credits/ledger", await credits.AdjustAsync(workspaceId, request, ct));
}
