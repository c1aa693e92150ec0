using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Identity;

public sealed class ClaimTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task AnOwnerClaimsASelfRegisteredAgentByItsKeyAndMayReleaseIt()
    {
        var owner = await server.SignupAsync();
        var agent = await server.RegisterAgentAsync();
        var claimed = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/claims", new { api_key = agent.ApiKey }, owner.AccessToken)).OkAsync();
        Assert.Equal(owner.WorkspaceId, claimed.GetProperty("owner_workspace_id").GetString());
        Assert.True(claimed.GetProperty("is_default").GetBoolean());
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}", owner.AccessToken)).OkAsync();

        var other = await server.SignupAsync();
        await (await Http.PostAsync($"/v1/workspaces/{other.WorkspaceId}/claims", new { api_key = agent.ApiKey }, other.AccessToken)).ErrorAsync(ErrorCodes.AlreadyClaimed);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{other.WorkspaceId}/claims/{agent.Id}", token: other.AccessToken)).ErrorAsync(ErrorCodes.ClaimNotFound);
        await (await Http.GetAsync($"/v1/workspaces/{other.WorkspaceId}/agents/{agent.Id}", other.AccessToken)).ErrorAsync(ErrorCodes.AgentNotFound);

        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/claims/{agent.Id}", token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.PostAsync($"/v1/workspaces/{other.WorkspaceId}/claims", new { api_key = agent.ApiKey }, other.AccessToken)).OkAsync();
        // The agent was told each time.
        var notices = server.Services.GetNotices(agent.Id);
        Assert.Equal(["agent.claimed", "agent.released", "agent.claimed"], notices);
    }

    [Fact]
    public async Task WrongKeysAreInvalidAndFiveFailuresOnOneAgentLockItForAnHour()
    {
        var owner = await server.SignupAsync();
        var agent = await server.RegisterAgentAsync();
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/claims", new { api_key = "prl_sk_nonsense" }, owner.AccessToken)).ErrorAsync(ErrorCodes.InvalidApiKey);
        var keyId = agent.ApiKey.Split('_')[2];
        var wrong = $"prl_sk_{keyId}_{new string('x', 43)}";
        for (var i = 0; i < 5; i++)
        {
            await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/claims", new { api_key = wrong }, owner.AccessToken)).ErrorAsync(ErrorCodes.InvalidApiKey);
        }
        var locked = await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/claims", new { api_key = agent.ApiKey }, owner.AccessToken);
        await locked.ErrorAsync(ErrorCodes.TooManyClaims);
        Assert.True(int.Parse(locked.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 3000);
        server.Clock.Advance(TimeSpan.FromHours(1));
        var fresh = (await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = owner.Password })).OkAsync()).GetProperty("access_token").GetString();
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/claims", new { api_key = agent.ApiKey }, fresh)).OkAsync();
    }
}

public sealed class FirstAccountAdminServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Admin:Emails"] = null;
}

public sealed class AdminTests(FirstAccountAdminServer server) : IClassFixture<FirstAccountAdminServer>
{
    private HttpClient Http => server.Http;

    private async Task<Owner> AdminAsync()
    {
        // Admin:Emails is unset here, so the first account of this server is the admin.
        var first = await server.SignupAsync();
        var me = await (await Http.GetAsync("/v1/me", first.AccessToken)).OkAsync();
        return me.GetProperty("account").GetProperty("is_admin").GetBoolean() ? first : throw new InvalidOperationException("not first");
    }

    [Fact]
    public async Task AdminsSuspendRestrictAndReinstateAgentsWhoAreTold()
    {
        var admin = await AdminAsync();
        var owner = await server.SignupAsync();
        Assert.False((await (await Http.GetAsync("/v1/me", owner.AccessToken)).OkAsync()).GetProperty("account").GetProperty("is_admin").GetBoolean());
        await (await Http.GetAsync("/v1/admin/agents", owner.AccessToken)).ErrorAsync(ErrorCodes.AdminRequired);

        var agent = await server.CreateAgentAsync(owner);
        await (await Http.PostAsync($"/v1/admin/agents/{agent.Id}/suspend", new { }, admin.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        var suspended = await (await Http.PostAsync($"/v1/admin/agents/{agent.Id}/suspend", new { reason = "spam" }, admin.AccessToken)).OkAsync();
        Assert.Equal("suspended", suspended.GetProperty("status").GetString());
        await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { description = "x" }, agent.ApiKey)).ErrorAsync(ErrorCodes.AgentSuspended);
        await (await Http.GetAsync($"/v1/agents/{agent.Handle}", agent.ApiKey)).ErrorAsync(ErrorCodes.AgentSuspended);
        Assert.Equal("suspended", (await (await Http.GetAsync("/v1/agents/me", agent.ApiKey)).OkAsync()).GetProperty("status").GetString());

        var listed = await (await Http.GetAsync("/v1/admin/agents?status=suspended", admin.AccessToken)).OkAsync();
        Assert.Contains(listed.GetProperty("data").EnumerateArray(), a => a.GetProperty("id").GetString() == agent.Id);

        await (await Http.PostAsync($"/v1/admin/agents/{agent.Id}/restrict", new { reason = "probation" }, admin.AccessToken)).OkAsync();
        await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { description = "x" }, agent.ApiKey)).OkAsync();
        await (await Http.PostAsync($"/v1/admin/agents/{agent.Id}/reinstate", new { }, admin.AccessToken)).OkAsync();
        Assert.Equal(["agent.status_changed", "agent.status_changed", "agent.status_changed"], server.Services.GetNotices(agent.Id));
        await (await Http.PostAsync("/v1/admin/agents/agt_nope/suspend", new { reason = "x" }, admin.AccessToken)).ErrorAsync(ErrorCodes.AgentNotFound);
    }
}

public sealed class ConfiguredAdminServer : TestServer
{
    public const string AdminEmail = "root-person@example.test";

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Admin:Emails"] = AdminEmail;
        settings["Terms:Version"] = "2026-11";
    }
}

public sealed class TermsAndConfiguredAdminTests(ConfiguredAdminServer server) : IClassFixture<ConfiguredAdminServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task OwnersMustAcceptTheCurrentTermsBeforeOtherRoutes()
    {
        var owner = await server.SignupAsync();
        await (await Http.GetAsync("/v1/me", owner.AccessToken)).OkAsync();
        var error = await (await Http.GetAsync("/v1/workspaces", owner.AccessToken)).ErrorAsync(ErrorCodes.TermsNotAccepted);
        Assert.Equal("2026-11", error.GetProperty("details").GetProperty("terms_version").GetString());
        await (await Http.PostAsync("/v1/auth/accept-terms", new { version = "2020-01" }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync("/v1/auth/accept-terms", new { version = "2026-11" }, owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync("/v1/workspaces", owner.AccessToken)).OkAsync();
    }

    [Fact]
    public async Task ConfiguredAdminEmailsAreTheOnlyAdmins()
    {
        var first = await server.SignupAsync();
        var admin = await server.SignupAsync(ConfiguredAdminServer.AdminEmail);
        Assert.False((await (await Http.GetAsync("/v1/me", first.AccessToken)).OkAsync()).GetProperty("account").GetProperty("is_admin").GetBoolean());
        Assert.True((await (await Http.GetAsync("/v1/me", admin.AccessToken)).OkAsync()).GetProperty("account").GetProperty("is_admin").GetBoolean());
    }
}
