using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Identity;

public sealed class WorkspaceTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task OwnersCreateListReadAndRenameWorkspaces()
    {
        var owner = await server.SignupAsync();
        var created = await (await Http.PostAsync("/v1/workspaces", new { name = "Lab" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        Assert.Equal("self-hosted", created.GetProperty("plan").GetString());
        var list = await (await Http.GetAsync("/v1/workspaces", owner.AccessToken)).OkAsync();
        Assert.Equal(2, list.GetProperty("data").GetArrayLength());
        var renamed = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{id}", new { name = "Lab 2" }, owner.AccessToken)).OkAsync();
        Assert.Equal("Lab 2", renamed.GetProperty("name").GetString());
        Assert.Equal("Lab 2", (await (await Http.GetAsync($"/v1/workspaces/{id}", owner.AccessToken)).OkAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task InvitedVerifiedAccountsJoinWithTheirRole()
    {
        var owner = await server.SignupAsync();
        var invitee = await server.SignupVerifiedAsync();
        var invite = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/members", new { email = invitee.Email, role = "member" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        var unknown = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/members", new { email = Actors.NewEmail(), role = "member" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        Assert.Equal(invite.GetProperty("invite").EnumerateObject().Select(p => p.Name), unknown.GetProperty("invite").EnumerateObject().Select(p => p.Name));

        var mine = await (await Http.GetAsync("/v1/me/invites", invitee.AccessToken)).OkAsync();
        var inviteId = Assert.Single(mine.GetProperty("data").EnumerateArray()).GetProperty("id").GetString();
        await (await Http.PostAsync($"/v1/me/invites/{inviteId}/accept", null, invitee.AccessToken)).OkAsync();
        var members = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/members", invitee.AccessToken)).OkAsync();
        Assert.Equal(2, members.GetProperty("data").GetArrayLength());

        // A member may read but not manage.
        var error = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}", new { name = "mine now" }, invitee.AccessToken))
            .ErrorAsync(ErrorCodes.PermissionDenied);
        Assert.Equal("admin", error.GetProperty("details").GetProperty("required_role").GetString());
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents", new { handle = Actors.NewHandle() }, invitee.AccessToken))
            .ErrorAsync(ErrorCodes.PermissionDenied);
    }

    [Fact]
    public async Task UnverifiedAccountsSeeNoInvitesAndDeclinedOnesAreGone()
    {
        var owner = await server.SignupAsync();
        var unverified = await server.SignupAsync();
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/members", new { email = unverified.Email, role = "admin" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        Assert.Equal(0, (await (await Http.GetAsync("/v1/me/invites", unverified.AccessToken)).OkAsync()).GetProperty("data").GetArrayLength());

        await (await Http.PostAsync("/v1/auth/verify-email", new { code = server.LastCode(unverified.Email) }, unverified.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        var id = (await (await Http.GetAsync("/v1/me/invites", unverified.AccessToken)).OkAsync()).GetProperty("data")[0].GetProperty("id").GetString();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/me/invites/{id}", token: unverified.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.PostAsync($"/v1/me/invites/{id}/accept", null, unverified.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task TheOwnersRoleCannotChangeAndStrangersAreNotMembers()
    {
        var owner = await server.SignupAsync();
        var ws = owner.WorkspaceId;
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{ws}/members/{owner.AccountId}", new { role = "member" }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.RoleChangeForbidden);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{ws}/members/{owner.AccountId}", token: owner.AccessToken))
            .ErrorAsync(ErrorCodes.RoleChangeForbidden);
        var stranger = await server.SignupAsync();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{ws}/members/{stranger.AccountId}", token: owner.AccessToken))
            .ErrorAsync(ErrorCodes.MemberNotFound);
        await (await Http.GetAsync($"/v1/workspaces/{ws}", stranger.AccessToken)).ErrorAsync(ErrorCodes.WorkspaceNotFound);
    }

    [Fact]
    public async Task AdminsChangeRolesAndRemoveMembers()
    {
        var owner = await server.SignupAsync();
        var member = await server.SignupVerifiedAsync();
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/members", new { email = member.Email, role = "member" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        var inviteId = (await (await Http.GetAsync("/v1/me/invites", member.AccessToken)).OkAsync()).GetProperty("data")[0].GetProperty("id").GetString();
        await (await Http.PostAsync($"/v1/me/invites/{inviteId}/accept", null, member.AccessToken)).OkAsync();

        var promoted = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}/members/{member.AccountId}", new { role = "admin" }, owner.AccessToken)).OkAsync();
        Assert.Equal("admin", promoted.GetProperty("role").GetString());
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{owner.WorkspaceId}", new { name = "renamed by admin" }, member.AccessToken)).OkAsync();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/members/{member.AccountId}", token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}", member.AccessToken)).ErrorAsync(ErrorCodes.WorkspaceNotFound);
    }
}

public sealed class FreePlanServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Plans:Default"] = "free";
}

public sealed class PlanLimitTests(FreePlanServer server) : IClassFixture<FreePlanServer>
{
    [Fact]
    public async Task AFreeWorkspaceCannotInviteMembers()
    {
        var owner = await server.SignupAsync();
        await (await server.Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/members", new { email = Actors.NewEmail(), role = "member" }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.WorkspaceRequired);
    }

    [Fact]
    public async Task AgentsBeyondThePlanAreRefusedExactlyUnderConcurrency()
    {
        var owner = await server.SignupAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            server.Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents", new { handle = Actors.NewHandle() }, owner.AccessToken)));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var details = (await refused.ErrorAsync(ErrorCodes.FeatureLimitReached)).GetProperty("details");
            Assert.Equal("agents", details.GetProperty("feature").GetString());
            Assert.Equal(3, details.GetProperty("limit").GetInt32());
            Assert.Equal(3, details.GetProperty("count").GetInt32());
        }
        var agents = await (await server.Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/agents", owner.AccessToken)).OkAsync();
        Assert.Equal(1, agents.GetProperty("data").EnumerateArray().Count(a => a.GetProperty("is_default").GetBoolean()));
    }
}
