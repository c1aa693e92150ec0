using System.Net;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Rooms;

/// <summary>Two owners' agents in one room: invitations, grants, invoke, consent, and their withdrawal.</summary>
public sealed class CrossOwnerTests(RoomsServer server) : IClassFixture<RoomsServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task AnAgentsInvitationAcceptedByItsOwnerAddsTheAgentAndTheOwnerAndGrantsConsent()
    {
        var ownerA = await server.SignupAsync();
        var roomId = await server.CreateRoomAsync(ownerA.AccessToken, "Joint");
        var ownerB = await server.SignupAsync();
        var agentB = await server.CreateAgentAsync(ownerB);
        var agentB2 = await server.CreateAgentAsync(ownerB);

        var created = await (await Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "agent_plate", target = agentB.Handle }, ownerA.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        var invite = created.GetProperty("invite");
        Assert.StartsWith("inv_", invite.Id(), StringComparison.Ordinal);
        Assert.Equal(("agent_plate", agentB.Plate, "pending", "Joint"), (invite.GetProperty("kind").GetString(), invite.GetProperty("target").GetString(),
            invite.GetProperty("status").GetString(), invite.GetProperty("room_name").GetString()));
        Assert.Equal(server.Clock.GetUtcNow().AddDays(7), invite.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal(ownerA.AccountId, invite.GetProperty("invited_by").GetProperty("id").GetString());

        // Only the invited agent's owner sees and accepts it; before that, B cannot see the room.
        var listed = Assert.Single((await (await Http.GetAsync("/v1/invites", ownerB.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray());
        Assert.Equal(invite.Id(), listed.Id());
        var third = await server.SignupAsync();
        Assert.Empty((await (await Http.GetAsync("/v1/invites", third.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray());
        await (await Http.PostAsync($"/v1/invites/{invite.Id()}/accept", null, third.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.GetAsync($"/v1/rooms/{roomId}", ownerB.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.GetAsync($"/v1/rooms/{roomId}", agentB.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.GetAsync("/v1/invites", agentB.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);

        var accepted = await (await Http.PostAsync($"/v1/invites/{invite.Id()}/accept", null, ownerB.AccessToken)).OkAsync();
        Assert.Equal(("cross_owner", roomId), (accepted.GetProperty("room").GetProperty("kind").GetString(), accepted.GetProperty("room").Id()));
        await (await Http.PostAsync($"/v1/invites/{invite.Id()}/accept", null, ownerB.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        Assert.Empty((await (await Http.GetAsync("/v1/invites", ownerB.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray());

        var members = (await (await Http.GetAsync($"/v1/rooms/{roomId}/members", agentB.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray().ToList();
        var joinedAgent = Assert.Single(members, m => m.GetProperty("id").GetString() == agentB.Id);
        Assert.Equal(ownerB.WorkspaceId, joinedAgent.GetProperty("workspace_id").GetString());
        var joinedOwner = Assert.Single(members, m => m.GetProperty("id").GetString() == ownerB.AccountId);
        Assert.Equal(("account", "member"), (joinedOwner.GetProperty("kind").GetString(), joinedOwner.GetProperty("role").GetString()));
        // B's other agent: its owner sees the room, it is no member.
        await (await Http.GetAsync($"/v1/rooms/{roomId}", agentB2.ApiKey)).ErrorAsync(ErrorCodes.NotAMember);
        // B is a member, not an admin.
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/rooms/{roomId}", new { status = "paused" }, ownerB.AccessToken)).ErrorAsync(ErrorCodes.PermissionDenied);
        // Inviting a member again is a conflict; unknown agents are not found.
        await (await Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "agent_plate", target = agentB.Plate }, ownerA.AccessToken)).ErrorAsync(ErrorCodes.Conflict);
        await (await Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "agent_plate", target = "PRL-AGT-00000000" }, ownerA.AccessToken))
            .ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "agent_plate", target = agentB2.Plate }, ownerB.AccessToken))
            .ErrorAsync(ErrorCodes.PermissionDenied);
        await (await Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "fax", target = "x" }, ownerA.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task AnEmailInvitationReachesOnlyAVerifiedAccountWithThatEmailAndAnswersAlike()
    {
        var owner = await server.SignupAsync();
        var roomId = await server.CreateRoomAsync(owner.AccessToken);
        var unknown = await (await Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "human_email", target = "Nobody@Example.test" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        var guest = await server.SignupAsync();
        var known = await (await Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "human_email", target = guest.Email }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        Assert.Equal(unknown.GetProperty("invite").EnumerateObject().Select(p => p.Name), known.GetProperty("invite").EnumerateObject().Select(p => p.Name));
        Assert.Equal("nobody@example.test", unknown.GetProperty("invite").GetProperty("target").GetString());
        await (await Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "human_email", target = "not-an-email" }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.ValidationError);

        // Unverified, the account sees nothing and cannot accept.
        var inviteId = known.GetProperty("invite").Id();
        Assert.Empty((await (await Http.GetAsync("/v1/invites", guest.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray());
        await (await Http.PostAsync($"/v1/invites/{inviteId}/accept", null, guest.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.PostAsync("/v1/auth/verify-email", new { code = server.LastCode(guest.Email) }, guest.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        Assert.Single((await (await Http.GetAsync("/v1/invites", guest.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray());
        await (await Http.PostAsync($"/v1/invites/{inviteId}/accept", null, guest.AccessToken)).OkAsync();
        var members = (await (await Http.GetAsync($"/v1/rooms/{roomId}/members", guest.AccessToken)).OkAsync()).GetProperty("data");
        Assert.Contains(members.EnumerateArray(), m => m.GetProperty("id").GetString() == guest.AccountId);
        // A guest from no workspace of the room's agents leaves the room single-owner.
        Assert.Equal("single_owner", (await (await Http.GetAsync($"/v1/rooms/{roomId}", guest.AccessToken)).OkAsync()).GetProperty("kind").GetString());
    }

    [Fact]
    public async Task InvitationsExpireAfterSevenDaysAndCanBeDeclinedOrWithdrawn()
    {
        var ownerA = await server.SignupAsync();
        var tokenA = await server.PersonalTokenAsync(ownerA);
        var roomId = await server.CreateRoomAsync(tokenA);
        var ownerB = await server.SignupAsync();
        var tokenB = await server.PersonalTokenAsync(ownerB);
        var agentB = await server.CreateAgentAsync(ownerB);

        var declined = await server.InviteAsync(tokenA, roomId, "agent_plate", agentB.Plate);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/invites/{declined}", token: tokenB)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.PostAsync($"/v1/invites/{declined}/accept", null, tokenB)).ErrorAsync(ErrorCodes.NotFound);

        var withdrawn = await server.InviteAsync(tokenA, roomId, "agent_plate", agentB.Plate);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/invites/{withdrawn}", token: (await server.SignupAsync()).AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/invites/{withdrawn}", token: tokenA)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.PostAsync($"/v1/invites/{withdrawn}/accept", null, tokenB)).ErrorAsync(ErrorCodes.NotFound);

        var expiring = await server.InviteAsync(tokenA, roomId, "agent_plate", agentB.Plate);
        server.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        Assert.Single((await (await Http.GetAsync("/v1/invites", tokenB)).OkAsync()).GetProperty("data").EnumerateArray());
        server.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty((await (await Http.GetAsync("/v1/invites", tokenB)).OkAsync()).GetProperty("data").EnumerateArray());
        await (await Http.PostAsync($"/v1/invites/{expiring}/accept", null, tokenB)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.GetAsync($"/v1/rooms/{roomId}", agentB.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task AssigningAnotherOwnersAgentNeedsInvokeAndTheirGrantAndPendingTasksWaitForTheirOwner()
    {
        var setup = await server.CrossOwnerRoomAsync(scopesOfA: ["read", "write"]);
        var url = $"/v1/rooms/{setup.RoomId}/tasks";
        var scope = await (await Http.PostAsync(url, new { title = "t", assignee = setup.AgentB.Plate }, setup.AgentA.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
        Assert.Equal("invoke", scope.GetProperty("details").GetProperty("required_scope").GetString());

        // task_by_task (the default): the cross-owner task lands pending and cannot be claimed yet.
        var task = await server.CreateTaskAsync(setup.OwnerA.AccessToken, setup.RoomId, "Review the contract", assignee: setup.AgentB.Plate);
        Assert.Equal("pending", task.GetProperty("consent").GetString());
        var noGrant = await (await server.ClaimAsync(setup.AgentB, task.Id())).ErrorAsync(ErrorCodes.NoGrant);
        Assert.Equal((setup.OwnerB.WorkspaceId, setup.RoomId), (noGrant.GetProperty("details").GetProperty("owner_id").GetString(),
            noGrant.GetProperty("details").GetProperty("room_id").GetString()));

        // Only the assignee's owner decides.
        Assert.Equal("assignee_owner_only", (await (await Http.PostAsync($"/v1/tasks/{task.Id()}/accept", null, setup.OwnerA.AccessToken))
            .ErrorAsync(ErrorCodes.Forbidden)).GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal("people_only", (await (await Http.PostAsync($"/v1/tasks/{task.Id()}/accept", null, setup.AgentB.ApiKey))
            .ErrorAsync(ErrorCodes.Forbidden)).GetProperty("details").GetProperty("reason").GetString());
        var accepted = await (await Http.PostAsync($"/v1/tasks/{task.Id()}/accept", null, setup.OwnerB.AccessToken)).OkAsync();
        Assert.Equal("accepted", accepted.GetProperty("consent").GetString());
        await (await Http.PostAsync($"/v1/tasks/{task.Id()}/accept", null, setup.OwnerB.AccessToken)).ErrorAsync(ErrorCodes.Conflict);
        await server.ClaimOkAsync(setup.AgentB, task.Id());

        // Rejected: back to the creator, unassigned.
        var rejected = await server.CreateTaskAsync(setup.OwnerA.AccessToken, setup.RoomId, "Sign it", assignee: setup.AgentB.Id);
        var back = await (await Http.PostAsync($"/v1/tasks/{rejected.Id()}/reject", new { reason = "not ours" }, setup.OwnerB.AccessToken)).OkAsync();
        Assert.Equal(("rejected", JsonValueKind.Null), (back.GetProperty("consent").GetString(), back.GetProperty("assignee").ValueKind));
        await (await Http.PostAsync($"/v1/tasks/{rejected.Id()}/reject", null, setup.OwnerB.AccessToken)).ErrorAsync(ErrorCodes.Conflict);
        Assert.Equal(["created", "rejected"], await server.TaskEventTypesAsync(setup.OwnerA.AccessToken, rejected.Id()));

        // B withdraws its grant: its agent stays a member but can no longer be assigned across owners.
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/rooms/{setup.RoomId}/grant", token: setup.AgentB.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/rooms/{setup.RoomId}/grant", token: setup.OwnerB.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/rooms/{setup.RoomId}/grant", token: setup.OwnerB.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        var withdrawn = await (await Http.PostAsync(url, new { title = "more", assignee = setup.AgentB.Handle }, setup.OwnerA.AccessToken)).ErrorAsync(ErrorCodes.NoGrant);
        Assert.Equal(setup.OwnerB.WorkspaceId, withdrawn.GetProperty("details").GetProperty("owner_id").GetString());
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/tasks/{rejected.Id()}", new { assignee = setup.AgentB.Handle }, setup.OwnerA.AccessToken))
            .ErrorAsync(ErrorCodes.NoGrant);
        await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}", setup.AgentB.ApiKey)).OkAsync();
        // The room's own owner never needs a grant of itself.
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/rooms/{setup.RoomId}/grant", token: setup.OwnerA.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
    }

    [Fact]
    public async Task AnOwnersOwnAgentsNeedNoGrantAndTheRoomsOwnerAgentsNeedOnlyInvoke()
    {
        var setup = await server.CrossOwnerRoomAsync();
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/rooms/{setup.RoomId}/grant", token: setup.OwnerB.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        var own = await server.CreateTaskAsync(setup.OwnerB.AccessToken, setup.RoomId, assignee: setup.AgentB.Handle);
        Assert.Equal("auto", own.GetProperty("consent").GetString());
        var self = await server.CreateTaskAsync(setup.AgentB.ApiKey, setup.RoomId, assignee: setup.AgentB.Handle);
        Assert.Equal("auto", self.GetProperty("consent").GetString());
        var forA = await server.CreateTaskAsync(setup.AgentB.ApiKey, setup.RoomId, assignee: setup.AgentA.Handle);
        Assert.Equal("auto", forA.GetProperty("consent").GetString());
        await server.ClaimOkAsync(setup.AgentA, forA.Id());
    }

    [Fact]
    public async Task ConsentModesDecideHowCrossOwnerTasksLand()
    {
        var setup = await server.CrossOwnerRoomAsync();
        var consent = $"/v1/rooms/{setup.RoomId}/consent";
        async Task<string?> AssignAsync() =>
            (await server.CreateTaskAsync(setup.OwnerA.AccessToken, setup.RoomId, assignee: setup.AgentB.Plate)).GetProperty("consent").GetString();

        Assert.Equal("pending", await AssignAsync());
        var set = await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "approve_all" }, setup.OwnerB.AccessToken)).OkAsync();
        Assert.Equal((setup.RoomId, setup.OwnerB.WorkspaceId, "approve_all"), (set.GetProperty("room_id").GetString(),
            set.GetProperty("workspace_id").GetString(), set.GetProperty("mode").GetString()));
        Assert.Equal("accepted", await AssignAsync());

        var elsewhere = await server.SignupAsync();
        await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "trust_collaborator", collaborator = elsewhere.WorkspaceId }, setup.OwnerB.AccessToken)).OkAsync();
        Assert.Equal("pending", await AssignAsync());
        await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "trust_collaborator", collaborator = setup.OwnerA.WorkspaceId }, setup.OwnerB.AccessToken)).OkAsync();
        Assert.Equal("accepted", await AssignAsync());
        var byAgentA = await server.CreateTaskAsync(setup.AgentA.ApiKey, setup.RoomId, assignee: setup.AgentB.Plate);
        Assert.Equal("accepted", byAgentA.GetProperty("consent").GetString());

        await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "trust_room" }, setup.OwnerB.AccessToken)).OkAsync();
        Assert.Equal("accepted", await AssignAsync());
        await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "task_by_task" }, setup.OwnerB.AccessToken)).OkAsync();
        Assert.Equal("pending", await AssignAsync());

        await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "trust_collaborator" }, setup.OwnerB.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "trust_collaborator", collaborator = "ws_nope" }, setup.OwnerB.AccessToken))
            .ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "always" }, setup.OwnerB.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.Equal("people_only", (await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "trust_room" }, setup.AgentB.ApiKey))
            .ErrorAsync(ErrorCodes.Forbidden)).GetProperty("details").GetProperty("reason").GetString());

        // An owner in several workspaces names the one whose agents the mode is for.
        var second = (await (await Http.PostAsync("/v1/workspaces", new { name = "B2" }, setup.OwnerB.AccessToken)).OkAsync(HttpStatusCode.Created)).Id();
        await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "trust_room" }, setup.OwnerB.AccessToken)).ErrorAsync(ErrorCodes.WorkspaceHeaderRequired);
        var named = await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "trust_room", workspace_id = setup.OwnerB.WorkspaceId }, setup.OwnerB.AccessToken)).OkAsync();
        Assert.Equal(setup.OwnerB.WorkspaceId, named.GetProperty("workspace_id").GetString());
        Assert.Equal(second, (await (await Http.SendAsync(HttpMethod.Put, consent, new { mode = "trust_room" }, setup.OwnerB.AccessToken,
            headers: new Dictionary<string, string> { ["X-Workspace-Id"] = second })).OkAsync()).GetProperty("workspace_id").GetString());
        Assert.Equal("accepted", await AssignAsync());
    }
}
