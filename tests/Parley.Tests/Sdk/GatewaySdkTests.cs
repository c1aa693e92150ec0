using Parley.Client;
using Parley.Contracts.Errors;
using Parley.Contracts.Gateway;
using Parley.Tests.Gateway;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sdk;

/// <summary>The SDK's gateway surface against a real server and upstream: an owner sets the vault and a rule, an agent calls.</summary>
public sealed class GatewaySdkTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    [Fact]
    public async Task AnOwnerGovernsAndAnAgentCallsThroughTheSdk()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        using var owners = new ParleyClient(server.BaseAddress, owner.AccessToken);
        using var agents = new ParleyClient(server.BaseAddress, agent.ApiKey);
        var entry = await owners.CreateVaultEntryAsync(owner.WorkspaceId, new CreateVaultEntryRequest("api", server.Plain.HostPattern, null,
            new Injection("header", "X-Key"), "sdk-secret-1357"));
        var rule = await owners.CreateRuleAsync(owner.WorkspaceId, new CreateRuleRequest("no posts", server.Plain.HostPattern, null, "POST", null, RuleActions.Block));
        Assert.Single((await owners.ListRulesAsync(owner.WorkspaceId)).Data);
        Assert.Equal((entry.Name, "…1357"), (await owners.GetVaultEntryAsync(owner.WorkspaceId, entry.Id) is var read ? (read.Name, "…" + read.ValueLast4) : default));
        Assert.Equal(RuleActions.Block, (await owners.GetRuleAsync(owner.WorkspaceId, rule.Id)).Action);
        var settings = await owners.SetGatewaySettingsAsync(owner.WorkspaceId, new GatewaySettingsRequest(PerDomainPerMinute: 500));
        Assert.Equal(settings, await owners.GetGatewaySettingsAsync(owner.WorkspaceId));

        var result = await agents.GatewayCallAsync(new GatewayCallRequest("GET", server.Plain.Url("/sdk").ToString()));
        Assert.Equal((200, entry.Id), (result.Status, result.Injected.Single()));
        var blocked = await Assert.ThrowsAsync<ParleyApiException>(() => agents.GatewayCallAsync(new GatewayCallRequest("POST", server.Plain.Url("/sdk").ToString())));
        Assert.Equal(ErrorCodes.PolicyBlocked, blocked.Code);
        var explained = await owners.ExplainCallAsync(owner.WorkspaceId, agent.Handle, "POST", server.Plain.Url("/sdk"));
        Assert.Equal(("block", rule.Id), (explained.Decision, explained.Rule!.Id));
        var log = await owners.ListGatewayLogAsync(owner.WorkspaceId, decision: GatewayDecisions.Blocked);
        Assert.Equal(ErrorCodes.PolicyBlocked, log.Data.Single().ErrorCode);
        Assert.Contains("BEGIN CERTIFICATE", await agents.GetGatewayCaAsync(), StringComparison.Ordinal);
        await owners.DeleteVaultEntryAsync(owner.WorkspaceId, entry.Id);
        Assert.Empty((await owners.ListVaultEntriesAsync(owner.WorkspaceId)).Data);
    }
}
