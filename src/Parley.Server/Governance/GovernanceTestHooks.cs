using Microsoft.AspNetCore.Http.HttpResults;
using Parley.Server.Data;
using Parley.Server.Governance.Credits;
using Parley.Server.Governance.Usage;
using Parley.Server.Platform.Testing;

namespace Parley.Server.Governance;

/// <summary>
/// Test-only routes (behind <c>Testing:FaultHooks</c>) that stand in for the actions later modules will meter and price
/// (governed calls, runs, model tokens): each runs the one call such an action makes, in a transaction of its own, and
/// can fail inside the transaction (<c>fail: "inside"</c>, rolled back) or after it committed (<c>fail: "after-commit"</c>,
/// which gives the units and credits back the way the action must).
/// </summary>
internal static class GovernanceTestHooks
{
    public static IEndpointRouteBuilder MapGovernanceTestHooks(this IEndpointRouteBuilder app)
    {
        var group = FaultHooks.Routes(app).MapGroup("/governance");
        group.MapPost("/admit", AdmitAsync);
        group.MapPost("/spend", SpendAsync);
        group.MapPost("/reserve", ReserveAsync);
        group.MapPost("/settle", SettleAsync);
        return app;
    }

    private static async Task<Ok<TestAdmitted>> AdmitAsync(TestAdmit request, Writes writes, Quotas quotas, CancellationToken ct)
    {
        var admission = await writes.RunAsync(async c =>
        {
            var admitted = await quotas.AdmitAsync(request.WorkspaceId, request.Meter, request.Units ?? 1, c);
            Fail(request.Fail, "inside");
            return admitted;
        }, ct);
        if (request.Fail == "after-commit")
        {
            await quotas.ReturnAsync(admission, ct);
            Fail(request.Fail, "after-commit");
        }
        return TypedResults.Ok(new TestAdmitted(admission.Units));
    }

    private static async Task<Ok<TestDebited>> SpendAsync(TestSpend request, Writes writes, CreditLedger credits, Prices prices, CancellationToken ct)
    {
        var debit = await writes.RunAsync(async c =>
        {
            var spent = await credits.SpendAsync(request.WorkspaceId, prices.MicrosOf(request.Action ?? Prices.GovernedCall) * (request.Units ?? 1), "test", c);
            Fail(request.Fail, "inside");
            return spent;
        }, ct);
        if (request.Fail == "after-commit" && debit is not null)
        {
            await credits.RefundAsync(debit, ct);
            Fail(request.Fail, "after-commit");
        }
        return TypedResults.Ok(new TestDebited(debit?.LedgerId));
    }

    private static async Task<Ok<TestDebited>> ReserveAsync(TestReserve request, Writes writes, CreditLedger credits, CancellationToken ct) =>
        TypedResults.Ok(new TestDebited((await writes.RunAsync(c =>
            credits.ReserveAsync(request.WorkspaceId, CreditAmount.ToMicros(request.Amount), "test", c), ct))?.LedgerId));

    private static async Task<Ok<TestDebited>> SettleAsync(TestSettle request, CreditLedger credits, CancellationToken ct) =>
        TypedResults.Ok(new TestDebited((await credits.SettleAsync(request.LedgerId, CreditAmount.ToMicros(request.Actual), ct))?.Id));

    private static void Fail(string? requested, string stage)
    {
        if (requested == stage)
        {
            throw new InvalidOperationException($"fault hook: the action failed {stage}");
        }
    }
}

internal sealed record TestAdmit(string WorkspaceId, string Meter, long? Units, string? Fail);

internal sealed record TestAdmitted(long Units);

internal sealed record TestSpend(string WorkspaceId, string? Action, long? Units, string? Fail);

internal sealed record TestReserve(string WorkspaceId, decimal Amount);

internal sealed record TestSettle(string LedgerId, decimal Actual);

internal sealed record TestDebited(string? LedgerId);
