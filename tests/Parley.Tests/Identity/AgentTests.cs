using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Identity;

public sealed class AgentTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task CreatingAnAgentReturnsItAndAKeyShownOnce()
    {
        var owner = await server.SignupAsync();
        var handle = Actors.NewHandle();
        var body = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents",
            new { handle, display_name = "Helper", description = "does things" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        var agent = body.GetProperty("agent");
        Assert.StartsWith("agt_", agent.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Matches("^PRL-AGT-[0-9A-HJKMNP-TV-Z]{8}$", agent.GetProperty("plate").GetString());
        Assert.True(agent.GetProperty("is_default").GetBoolean());
        Assert.Equal(owner.WorkspaceId, agent.GetProperty("owner_workspace_id").GetString());
        Assert.Equal("none", agent.GetProperty("paused").GetString());
        Assert.Matches("^prl_sk_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}$", body.GetProperty("api_key").GetString());

        var keys = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.GetProperty("id").GetString()}/keys", owner.AccessToken)).OkAsync();
        var key = Assert.Single(keys.GetProperty("data").EnumerateArray());
        Assert.Equal("prl_sk_", key.GetProperty("prefix").GetString());
        Assert.Equal(5, key.GetProperty("scopes").GetArrayLength());
        Assert.DoesNotContain(body.GetProperty("api_key").GetString()![^43..], keys.ToString(), StringComparison.Ordinal);

        var me = await (await Http.GetAsync("/v1/agents/me", body.GetProperty("api_key").GetString())).OkAsync();
        Assert.Equal(handle, me.GetProperty("handle").GetString());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("a234567890123456789012345678901")]
    [InlineData("Upper")]
    [InlineData("has_underscore")]
    [InlineData("9starts-with-digit")]
    [InlineData("double--dash")]
    [InlineData("ends-with-")]
    [InlineData("admin")]
    [InlineData("support")]
    public async Task EveryHandleRuleAnswersInvalidHandle(string handle)
    {
        var owner = await server.SignupAsync();
        var error = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents", new { handle }, owner.AccessToken)).ErrorAsync(ErrorCodes.InvalidHandle);
        Assert.Equal(handle, error.GetProperty("details").GetProperty("handle").GetString());
    }

    [Fact]
    public async Task HandlesAreUniqueEvenUnderConcurrencyAndRetiredOnDeletion()
    {
        var owner = await server.SignupAsync();
        var handle = Actors.NewHandle();
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents", new { handle }, owner.AccessToken)));
        var created = await responses.Single(r => r.StatusCode == HttpStatusCode.Created).OkAsync(HttpStatusCode.Created);
        var taken = await responses.Single(r => r.StatusCode != HttpStatusCode.Created).ErrorAsync(ErrorCodes.HandleTaken);
        Assert.Equal(handle, taken.GetProperty("details").GetProperty("handle").GetString());

        var second = await server.CreateAgentAsync(owner);
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{second.Id}/default", null, owner.AccessToken)).OkAsync();
        var id = created.GetProperty("agent").GetProperty("id").GetString();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{id}", token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents", new { handle }, owner.AccessToken)).ErrorAsync(ErrorCodes.HandleTaken);
    }

    [Fact]
    public async Task ExactlyOneDefaultAndItCannotBeDeletedWhileOthersRemain()
    {
        var owner = await server.SignupAsync();
        var first = await server.CreateAgentAsync(owner);
        var second = await server.CreateAgentAsync(owner);
        var ws = owner.WorkspaceId;
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{ws}/agents/{first.Id}", token: owner.AccessToken)).ErrorAsync(ErrorCodes.CannotDeleteDefault);
        await (await Http.PostAsync($"/v1/workspaces/{ws}/agents/{first.Id}/default", null, owner.AccessToken)).ErrorAsync(ErrorCodes.AlreadyDefault);
        await (await Http.PostAsync($"/v1/workspaces/{ws}/agents/{second.Id}/default", null, owner.AccessToken)).OkAsync();
        var list = await (await Http.GetAsync($"/v1/workspaces/{ws}/agents", owner.AccessToken)).OkAsync();
        Assert.Equal(second.Id, Assert.Single(list.GetProperty("data").EnumerateArray(), a => a.GetProperty("is_default").GetBoolean()).GetProperty("id").GetString());
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{ws}/agents/{first.Id}", token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        // The last agent may go, default or not.
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{ws}/agents/{second.Id}", token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task ADeletedAgentsCredentialsAreUnauthorizedAndItIsNotFoundToOthers()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var other = await server.CreateAgentAsync(owner);
        await (await Http.GetAsync($"/v1/agents/{agent.Handle}", other.ApiKey)).OkAsync();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}", token: owner.AccessToken)).ErrorAsync(ErrorCodes.CannotDeleteDefault);
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{other.Id}/default", null, owner.AccessToken)).OkAsync();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}", token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);

        await (await Http.GetAsync("/v1/agents/me", agent.ApiKey)).ErrorAsync(ErrorCodes.Unauthorized);
        await (await Http.GetAsync($"/v1/agents/{agent.Handle}", other.ApiKey)).ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}", owner.AccessToken)).ErrorAsync(ErrorCodes.AgentNotFound);
    }

    [Fact]
    public async Task RevokedKeysAnswerRevokedAndOtherKeysKeepWorking()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var extra = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}/keys", new { kind = "secret", name = "second" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        var keyId = extra.GetProperty("key").GetProperty("id").GetString();
        var extraKey = extra.GetProperty("api_key").GetString();
        await (await Http.GetAsync("/v1/agents/me", extraKey)).OkAsync();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}/keys/{keyId}", token: owner.AccessToken))
            .OkAsync(HttpStatusCode.NoContent);
        var error = await (await Http.GetAsync("/v1/agents/me", extraKey)).ErrorAsync(ErrorCodes.Revoked);
        Assert.Equal("key", error.GetProperty("details").GetProperty("subject").GetString());
        await (await Http.GetAsync("/v1/agents/me", agent.ApiKey)).OkAsync();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}/keys/{keyId}", token: owner.AccessToken))
            .ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task ScopesDecideWhatAKeyMayDo()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner, scopes: ["read"]);
        await (await Http.GetAsync("/v1/agents/me", agent.ApiKey)).OkAsync();
        var error = await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { description = "x" }, agent.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
        Assert.Equal("write", error.GetProperty("details").GetProperty("required_scope").GetString());
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents", new { handle = Actors.NewHandle(), scopes = new[] { "fly" } }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task PublishableKeysReachOnlyPublishableRoutesAndSecretKeysStayOutOfBrowsers()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var created = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}/keys", new { kind = "publishable" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        var publishable = created.GetProperty("api_key").GetString()!;
        Assert.StartsWith("prl_pk_", publishable, StringComparison.Ordinal);

        var found = await (await Http.GetAsync($"/v1/directory?q={agent.Handle[..6]}", publishable)).OkAsync();
        Assert.Contains(found.GetProperty("data").EnumerateArray(), a => a.GetProperty("handle").GetString() == agent.Handle);
        var forbidden = await (await Http.GetAsync("/v1/agents/me", publishable)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("publishable_key", forbidden.GetProperty("details").GetProperty("reason").GetString());

        var fromBrowser = await Http.SendAsync(HttpMethod.Get, $"/v1/directory?q={agent.Handle[..6]}", token: agent.ApiKey,
            headers: new Dictionary<string, string> { ["Origin"] = "https://example.test" });
        await fromBrowser.ErrorAsync(ErrorCodes.WrongKeyKind);
        var cors = await Http.SendAsync(HttpMethod.Get, $"/v1/directory?q={agent.Handle[..6]}", token: publishable,
            headers: new Dictionary<string, string> { ["Origin"] = "https://example.test" });
        Assert.Equal("*", cors.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task TheDirectoryFindsListedAgentsByHandleOrNameAndValidatesItsQuery()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var hidden = await server.CreateAgentAsync(owner);
        await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { listed = false, display_name = "Zebra Finder" }, hidden.ApiKey)).OkAsync();
        var byName = await (await Http.GetAsync($"/v1/directory?q=agent%20{agent.Handle}", agent.ApiKey)).OkAsync();
        Assert.Contains(byName.GetProperty("data").EnumerateArray(), a => a.GetProperty("handle").GetString() == agent.Handle);
        var none = await (await Http.GetAsync("/v1/directory?q=zebra%20finder", agent.ApiKey)).OkAsync();
        Assert.Equal(0, none.GetProperty("data").GetArrayLength());
        await (await Http.GetAsync("/v1/directory?q=z", agent.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.GetAsync("/v1/directory?q=zz&limit=51", agent.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task OwnersPauseAgentsAndAgentsEditTheirOwnSettings()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var paused = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}", new { paused = "send" }, owner.AccessToken)).OkAsync();
        Assert.Equal("send", paused.GetProperty("paused").GetString());
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}", new { paused = "sometimes" }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { paused = "none" }, agent.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        var edited = await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { inbox_mode = "contacts_only", description = "new" }, agent.ApiKey)).OkAsync();
        Assert.Equal("contacts_only", edited.GetProperty("inbox_mode").GetString());
        var profile = await (await Http.GetAsync($"/v1/agents/{agent.Handle}", agent.ApiKey)).OkAsync();
        Assert.Equal(["handle", "plate", "display_name", "description", "created_at"], profile.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task OwnerAndAgentRoutesRefuseTheOtherKindOfCredential()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var a = await (await Http.GetAsync("/v1/me", agent.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("owner_credential_required", a.GetProperty("details").GetProperty("reason").GetString());
        var b = await (await Http.GetAsync("/v1/agents/me", owner.AccessToken)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("agent_credential_required", b.GetProperty("details").GetProperty("reason").GetString());
    }
}
