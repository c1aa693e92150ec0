using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Rooms;

/// <summary>Rooms and their members: creation, the workspace a room belongs to, visibility, roles, status.</summary>
public sealed class RoomTests(RoomsServer server) : IClassFixture<RoomsServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task AnOwnerCreatesARoomAndIsItsAdmin()
    {
        var owner = await server.SignupAsync();
        var room = await (await Http.PostAsync("/v1/rooms", new { name = " Launch ", topic = "ship it" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        Assert.StartsWith("room_", room.Id(), StringComparison.Ordinal);
        Assert.Equal("Launch", room.GetProperty("name").GetString());
        Assert.Equal("ship it", room.GetProperty("topic").GetString());
        Assert.Equal("active", room.GetProperty("status").GetString());
        Assert.Equal("single_owner", room.GetProperty("kind").GetString());
        Assert.Equal(owner.WorkspaceId, room.GetProperty("owner_workspace_id").GetString());
        Assert.Equal("account", room.GetProperty("created_by").GetProperty("kind").GetString());
        Assert.Equal(owner.AccountId, room.GetProperty("created_by").GetProperty("id").GetString());

        var members = (await (await Http.GetAsync($"/v1/rooms/{room.Id()}/members", owner.AccessToken)).OkAsync()).GetProperty("data");
        var me = Assert.Single(members.EnumerateArray());
        Assert.Equal(("account", "admin"), (me.GetProperty("kind").GetString(), me.GetProperty("role").GetString()));
        Assert.Contains((await (await Http.GetAsync("/v1/rooms", owner.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray(), r => r.Id() == room.Id());
        Assert.Equal(room.Id(), (await (await Http.GetAsync($"/v1/rooms/{room.Id()}", owner.AccessToken)).OkAsync()).Id());

        await (await Http.PostAsync("/v1/rooms", new { name = "" }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync("/v1/rooms", new { name = new string('n', 101) }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task AnAgentCreatesARoomOfItsWorkspaceWhoseOwnerAdministersIt()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var roomId = await server.CreateRoomAsync(agent.ApiKey);
        var members = (await (await Http.GetAsync($"/v1/rooms/{roomId}/members", agent.ApiKey)).OkAsync()).GetProperty("data");
        var member = Assert.Single(members.EnumerateArray());
        Assert.Equal(agent.Id, member.GetProperty("id").GetString());
        Assert.Equal(agent.Plate, member.GetProperty("plate").GetString());
        Assert.Equal(agent.Handle, member.GetProperty("handle").GetString());
        Assert.Equal(owner.WorkspaceId, member.GetProperty("workspace_id").GetString());

        // The workspace's owner is a room admin without being a member.
        await (await server.SetRoomStatusAsync(owner.AccessToken, roomId, "paused")).OkAsync();
        Assert.Contains((await (await Http.GetAsync("/v1/rooms", owner.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray(), r => r.Id() == roomId);
        // The agent itself is no admin.
        await (await server.SetRoomStatusAsync(owner.AccessToken, roomId, "active")).OkAsync();
        var denied = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/rooms/{roomId}", new { name = "mine" }, agent.ApiKey)).ErrorAsync(ErrorCodes.PermissionDenied);
        Assert.Equal("admin", denied.GetProperty("details").GetProperty("required_role").GetString());

        // An agent without the write scope cannot create rooms.
        var reader = await server.CreateAgentAsync(owner, scopes: ["read"]);
        await (await Http.PostAsync("/v1/rooms", new { name = "x" }, reader.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
    }

    [Fact]
    public async Task AnOwnerInSeveralWorkspacesMustNameOne()
    {
        var owner = await server.SignupAsync();
        var second = await (await Http.PostAsync("/v1/workspaces", new { name = "Second" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        var secondId = second.Id();

        await (await Http.PostAsync("/v1/rooms", new { name = "which?" }, owner.AccessToken)).ErrorAsync(ErrorCodes.WorkspaceHeaderRequired);

        var byHeader = await (await Http.PostAsync("/v1/rooms", new { name = "by header" }, owner.AccessToken,
            headers: new Dictionary<string, string> { ["X-Workspace-Id"] = secondId })).OkAsync(HttpStatusCode.Created);
        Assert.Equal(secondId, byHeader.GetProperty("owner_workspace_id").GetString());
        var byBody = await (await Http.PostAsync("/v1/rooms", new { name = "by body", workspace_id = owner.WorkspaceId }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        Assert.Equal(owner.WorkspaceId, byBody.GetProperty("owner_workspace_id").GetString());

        var stranger = await server.SignupAsync();
        await (await Http.PostAsync("/v1/rooms", new { name = "not mine", workspace_id = stranger.WorkspaceId }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.WorkspaceNotFound);
    }

    [Fact]
    public async Task OnlyWhoCanSeeARoomFindsItAndAnAgentOfItsOwnerIsToldItIsNotAMember()
    {
        var setup = await server.RoomWithAgentsAsync();
        var outsider = await server.CreateAgentAsync(setup.Owner);
        var error = await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}", outsider.ApiKey)).ErrorAsync(ErrorCodes.NotAMember);
        Assert.Equal(setup.RoomId, error.GetProperty("details").GetProperty("room_id").GetString());

        var stranger = await server.SignupAsync();
        var strangerAgent = await server.CreateAgentAsync(stranger);
        await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}", stranger.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}", strangerAgent.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.GetAsync("/v1/rooms/room_01J0000000000000000000000", setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        Assert.DoesNotContain((await (await Http.GetAsync("/v1/rooms", stranger.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray(),
            r => r.Id() == setup.RoomId);
        Assert.Empty((await (await Http.GetAsync("/v1/rooms", outsider.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray());
        Assert.Single((await (await Http.GetAsync("/v1/rooms", setup.A.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray());

        // A member that leaves is a non-member again.
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/rooms/{setup.RoomId}/members/{setup.A.Handle}", token: setup.A.ApiKey))
            .OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/messages", setup.A.ApiKey)).ErrorAsync(ErrorCodes.NotAMember);
    }

    [Fact]
    public async Task AdminsManageMembersDirectlyOnlyWithinTheRoomsWorkspace()
    {
        var setup = await server.RoomWithAgentsAsync();
        var owner = setup.Owner;
        var url = $"/v1/rooms/{setup.RoomId}/members";
        // Adding again is harmless; any name of an agent works.
        Assert.Equal(setup.A.Id, (await (await Http.PostAsync(url, new { agent_id = setup.A.Plate }, owner.AccessToken)).OkAsync()).GetProperty("id").GetString());

        var other = await server.SignupVerifiedAsync();
        var otherAgent = await server.CreateAgentAsync(other);
        var wrongWorkspace = await (await Http.PostAsync(url, new { agent_id = otherAgent.Handle }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(wrongWorkspace.GetProperty("fields").TryGetProperty("agent_id", out _));
        await (await Http.PostAsync(url, new { agent_id = "no-such-agent-here" }, owner.AccessToken)).ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.PostAsync(url, new { account_id = other.AccountId }, owner.AccessToken)).ErrorAsync(ErrorCodes.MemberNotFound);
        await (await Http.PostAsync(url, new { }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);

        // A person of the workspace joins the room as a member and can be made admin.
        var invite = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/members", new { email = other.Email, role = "member" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync($"/v1/me/invites/{invite.GetProperty("invite").Id()}/accept", null, other.AccessToken)).OkAsync();
        var person = await (await Http.PostAsync(url, new { account_id = other.AccountId }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(("account", "member"), (person.GetProperty("kind").GetString(), person.GetProperty("role").GetString()));
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/rooms/{setup.RoomId}", new { topic = "t" }, other.AccessToken)).ErrorAsync(ErrorCodes.PermissionDenied);
        var promoted = await (await Http.SendAsync(HttpMethod.Patch, $"{url}/{other.AccountId}", new { role = "admin" }, owner.AccessToken)).OkAsync();
        Assert.Equal("admin", promoted.GetProperty("role").GetString());
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/rooms/{setup.RoomId}", new { topic = "t" }, other.AccessToken)).OkAsync();
        await (await Http.SendAsync(HttpMethod.Patch, $"{url}/{setup.A.Id}", new { role = "admin" }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Patch, $"{url}/{otherAgent.Id}", new { role = "admin" }, owner.AccessToken)).ErrorAsync(ErrorCodes.NotFound);

        // Agents cannot remove each other; an admin can remove anyone.
        var denied = await (await Http.SendAsync(HttpMethod.Delete, $"{url}/{setup.B.Id}", token: setup.A.ApiKey)).ErrorAsync(ErrorCodes.PermissionDenied);
        Assert.Equal("admin", denied.GetProperty("details").GetProperty("required_role").GetString());
        await (await Http.SendAsync(HttpMethod.Delete, $"{url}/{setup.B.Id}", token: other.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.SendAsync(HttpMethod.Delete, $"{url}/{setup.B.Id}", token: owner.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        var remaining = (await (await Http.GetAsync(url, owner.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal(new[] { owner.AccountId, setup.A.Id, other.AccountId }.Order(), remaining.Order());
    }

    [Fact]
    public async Task AgentWritesAnswerThreadNotActiveUntilTheRoomIsActiveAgainWhileReadsWork()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);
        foreach (var status in new[] { "paused", "stopped", "archived" })
        {
            var changed = await (await server.SetRoomStatusAsync(setup.Owner.AccessToken, setup.RoomId, status)).OkAsync();
            Assert.Equal(status, changed.GetProperty("status").GetString());
            var error = await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "hi" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ThreadNotActive);
            Assert.Equal(status, error.GetProperty("details").GetProperty("room_status").GetString());
            await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/tasks", new { title = "t" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ThreadNotActive);
            await (await server.ClaimAsync(setup.A, task.Id())).ErrorAsync(ErrorCodes.ThreadNotActive);
            await (await Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/notes.md", new { content = "x" }, setup.A.ApiKey))
                .ErrorAsync(ErrorCodes.ThreadNotActive);
            // Reads work, and people are not gated.
            await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/messages", setup.A.ApiKey)).OkAsync();
            await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/tasks", setup.A.ApiKey)).OkAsync();
            await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "people still talk" }, setup.Owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        }
        await (await server.SetRoomStatusAsync(setup.Owner.AccessToken, setup.RoomId, "active")).OkAsync();
        await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "back" }, setup.A.ApiKey)).OkAsync(HttpStatusCode.Created);
        await (await server.SetRoomStatusAsync(setup.Owner.AccessToken, setup.RoomId, "closed")).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task DeletingAnAgentTakesItOutOfItsRoomsWithItsLeasesAndAssignments()
    {
        var setup = await server.RoomWithAgentsAsync();
        var held = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId, assignee: setup.B.Handle);
        var assigned = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId, assignee: setup.B.Plate);
        await server.ClaimOkAsync(setup.B, held.Id());

        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{setup.Owner.WorkspaceId}/agents/{setup.B.Id}", token: setup.Owner.AccessToken))
            .OkAsync(HttpStatusCode.NoContent);

        var heldNow = await server.GetTaskAsync(setup.Owner.AccessToken, held.Id());
        Assert.Equal("todo", heldNow.GetProperty("status").GetString());
        Assert.Equal(JsonValueKindNull, heldNow.GetProperty("claim").ValueKind);
        Assert.Equal(JsonValueKindNull, heldNow.GetProperty("assignee").ValueKind);
        Assert.Equal(JsonValueKindNull, (await server.GetTaskAsync(setup.Owner.AccessToken, assigned.Id())).GetProperty("assignee").ValueKind);
        var members = (await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/members", setup.Owner.AccessToken)).OkAsync()).GetProperty("data");
        Assert.DoesNotContain(members.EnumerateArray(), m => m.GetProperty("id").GetString() == setup.B.Id);
        Assert.Contains("released", await server.TaskEventTypesAsync(setup.Owner.AccessToken, held.Id()));
        // The other agent can take the work (B was not the workspace's default agent, which cannot be deleted first).
        await server.ClaimOkAsync(setup.A, held.Id());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}

/// <summary>A server with the default-sized room-write limit lowered, to see the room policies applied.</summary>
public sealed class RoomRateServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:Rates:room-write:Limit"] = "3";
        settings["Limits:Rates:room-write:WindowSeconds"] = "60";
    }
}

public sealed class RoomRateTests(RoomRateServer server) : IClassFixture<RoomRateServer>
{
    [Fact]
    public async Task RoomWritesAreLimitedPerCallerUnderTheRoomWritePolicy()
    {
        var owner = await server.SignupAsync();
        var roomId = await server.CreateRoomAsync(owner.AccessToken);
        var first = await server.Http.PostAsync($"/v1/rooms/{roomId}/messages", new { body = "1" }, owner.AccessToken);
        await first.OkAsync(HttpStatusCode.Created);
        Assert.StartsWith("\"room-write\";q=3;w=60", first.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
        await (await server.Http.PostAsync($"/v1/rooms/{roomId}/messages", new { body = "2" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        var limited = await (await server.Http.PostAsync($"/v1/rooms/{roomId}/messages", new { body = "3" }, owner.AccessToken)).ErrorAsync(ErrorCodes.RateLimited);
        Assert.Equal(3, limited.GetProperty("details").GetProperty("limit").GetInt32());
        // Reads have their own policy.
        var read = await server.Http.GetAsync($"/v1/rooms/{roomId}/messages", owner.AccessToken);
        await read.OkAsync();
        Assert.StartsWith("\"room-read\"", read.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
    }
}
