using Parley.Client;
using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Tests.Governance;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sdk;

/// <summary>The SDK's governance surface against a real server: an admin sets a plan and grants credits, an owner reads usage.</summary>
public sealed class GovernanceSdkTests(GovernanceServer server) : IClassFixture<GovernanceServer>
{
    [Fact]
    public async Task AnAdminSetsAPlanAndGrantsCreditsAndTheOwnerReadsUsageThroughTheSdk()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var peer = await server.CreateAgentAsync(owner);
        using var admin = new ParleyClient(server.BaseAddress, await server.AdminTokenAsync());
        using var client = new ParleyClient(server.BaseAddress, owner.AccessToken);

        Assert.Contains((await client.ListPlansAsync()).Data, p => p.Name == "free" && p.Limits.MonthlyGovernedCalls == 1_000);
        var plan = await admin.SetWorkspacePlanAsync(owner.WorkspaceId, "metered");
        Assert.Equal(5, plan.Plan.Limits.MonthlyMessages);
        await server.SendOkAsync(agent, peer.Handle);

        var usage = await client.GetUsageAsync(owner.WorkspaceId);
        Assert.Equal(new MeterUsage(Meters.Messages, 1, 5), usage.Meters.Single(m => m.Meter == Meters.Messages));
        Assert.Equal(1, (await client.GetDailyUsageAsync(owner.WorkspaceId, Meters.Messages, days: 1)).Data.Single().Count);
        var view = await client.GetWorkspacePlanAsync(owner.WorkspaceId);
        Assert.Equal((2L, 1L), (view.Usage.Agents, view.Usage.Messages));

        var grant = await admin.GrantCreditsAsync(owner.WorkspaceId, 2.5m, "welcome");
        Assert.Equal(2.5m, grant.BalanceAfter);
        Assert.Equal(2.5m, (await client.GetCreditsAsync(owner.WorkspaceId)).Balance);
        Assert.Equal(grant.Id, Assert.Single((await client.ListCreditLedgerAsync(owner.WorkspaceId)).Data).Id);

        // QUOTA_EXCEEDED is retryable, but only next month: the SDK surfaces it instead of waiting.
        for (var i = 0; i < 4; i++)
        {
            await server.SendOkAsync(i % 2 == 0 ? peer : agent, i % 2 == 0 ? agent.Handle : peer.Handle);
        }
        using var sender = new ParleyClient(server.BaseAddress, agent.ApiKey);
        var refused = await Assert.ThrowsAsync<ParleyApiException>(() => sender.SendTextAsync(peer.Handle, "one too many"));
        Assert.Equal(ErrorCodes.QuotaExceeded, refused.Code);
        Assert.True(refused.RetryAfter > TimeSpan.FromSeconds(30));
    }
}
