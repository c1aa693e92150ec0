using System.Net;
using Parley.Client;
using Parley.Contracts.Errors;
using Parley.Contracts.Governance;
using Parley.Contracts.Identity;
using Parley.Contracts.Sessions;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Sdk;

/// <summary>
/// The SDK's identity, messaging-social, group, model-provider and platform surface against a real server: every call
/// goes through the typed methods, every answer is checked against what the server holds.
/// </summary>
public sealed class IdentitySdkTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task AnOwnerSignsUpManagesSessionsTokensWorkspacesAndMembersThroughTheSdk()
    {
        var email = Actors.NewEmail();
        using var anonymous = new ParleyClient(server.BaseAddress);
        var signup = await anonymous.SignupAsync(email, "correct horse battery", "Sdk Owner");
        Assert.Equal(email, signup.Account.Email);
        Assert.Equal("Sdk Owner", signup.Account.Name);
        Assert.Equal(signup.Account.Id, signup.Workspace.OwnerAccountId);
        var taken = await Assert.ThrowsAsync<ParleyApiException>(() => anonymous.SignupAsync(email, "correct horse battery", "Again"));
        Assert.Equal(ErrorCodes.EmailTaken, taken.Code);

        var login = await anonymous.LoginAsync(email, "correct horse battery");
        var refreshed = await anonymous.RefreshAsync(login.RefreshToken);
        Assert.NotEqual(login.RefreshToken, refreshed.RefreshToken);
        Assert.True(refreshed.ExpiresIn > 0);
        var wrong = await Assert.ThrowsAsync<ParleyApiException>(() => anonymous.LoginAsync(email, "not the password at all"));
        Assert.Equal(ErrorCodes.Unauthorized, wrong.Code);

        using var owner = new ParleyClient(server.BaseAddress, signup.AccessToken);
        var me = await owner.GetMeAsync();
        Assert.False(me.Account.EmailVerified);
        Assert.Equal(signup.Workspace.Id, Assert.Single(me.Workspaces).Id);
        await owner.VerifyEmailAsync(server.LastCode(email));
        await owner.AcceptTermsAsync("2030-01");
        me = await owner.GetMeAsync();
        Assert.True(me.Account.EmailVerified);
        Assert.Equal("2030-01", me.Account.TermsAccepted);

        // A personal token works as a credential until it is deleted.
        var token = await owner.CreatePersonalTokenAsync("ci", expiresInDays: 7);
        Assert.Equal("ci", token.Token.Name);
        var listed = Assert.Single((await owner.ListPersonalTokensAsync()).Data);
        Assert.Equal((token.Token.Id, token.Secret[^4..]), (listed.Id, listed.Last4));
        using var script = new ParleyClient(server.BaseAddress, token.Secret);
        Assert.Equal(email, (await script.GetMeAsync()).Account.Email);
        await owner.DeletePersonalTokenAsync(token.Token.Id);
        Assert.Empty((await owner.ListPersonalTokensAsync()).Data);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<ParleyApiException>(() => script.GetMeAsync())).Status);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<ParleyApiException>(() => owner.DeletePersonalTokenAsync(token.Token.Id))).Code);

        var second = await owner.CreateWorkspaceAsync("second");
        Assert.Equal(signup.Account.Id, second.OwnerAccountId);
        var mine = (await owner.ListWorkspacesAsync()).Data;
        Assert.Equal("owner", mine.Single(w => w.Id == second.Id).Role);
        Assert.Equal(2, mine.Count);
        Assert.Equal("renamed", (await owner.RenameWorkspaceAsync(second.Id, "renamed")).Name);
        Assert.Equal("renamed", (await owner.GetWorkspaceAsync(second.Id)).Name);

        // Members: an invitation accepted, a role changed, the member removed; another invitation declined.
        var colleague = await server.SignupVerifiedAsync();
        using var colleagueClient = new ParleyClient(server.BaseAddress, colleague.AccessToken);
        var invite = await owner.InviteMemberAsync(second.Id, colleague.Email, "member");
        Assert.Equal((colleague.Email, "member", second.Id), (invite.Invite.Email, invite.Invite.Role, invite.Invite.WorkspaceId));
        Assert.Equal(invite.Invite.Id, Assert.Single((await colleagueClient.ListMyInvitesAsync()).Data).Id);
        var joined = await colleagueClient.AcceptWorkspaceInviteAsync(invite.Invite.Id);
        Assert.Equal((second.Id, "member"), (joined.Id, joined.Role));
        Assert.Equal("member", (await owner.ListMembersAsync(second.Id)).Data.Single(m => m.AccountId == colleague.AccountId).Role);
        Assert.Equal("admin", (await owner.ChangeMemberRoleAsync(second.Id, colleague.AccountId, "admin")).Role);
        await owner.RemoveMemberAsync(second.Id, colleague.AccountId);
        Assert.DoesNotContain((await owner.ListMembersAsync(second.Id)).Data, m => m.AccountId == colleague.AccountId);
        Assert.DoesNotContain((await colleagueClient.ListWorkspacesAsync()).Data, w => w.Id == second.Id);

        var declining = await server.SignupVerifiedAsync();
        using var decliningClient = new ParleyClient(server.BaseAddress, declining.AccessToken);
        var declined = await owner.InviteMemberAsync(second.Id, declining.Email, "admin");
        await decliningClient.DeclineWorkspaceInviteAsync(declined.Invite.Id);
        Assert.Empty((await decliningClient.ListMyInvitesAsync()).Data);
        Assert.Equal("owner", Assert.Single((await owner.ListMembersAsync(second.Id)).Data).Role);

        // Password reset signs out everywhere; logout revokes the session it is called with.
        var pending = await anonymous.StartPasswordResetAsync(email);
        await anonymous.FinishPasswordResetAsync(pending.PendingId, server.LastCode(email), "a brand new password");
        Assert.Equal(ErrorCodes.TokenRevoked, (await Assert.ThrowsAsync<ParleyApiException>(() => owner.GetMeAsync())).Code);
        var fresh = await anonymous.LoginAsync(email, "a brand new password");
        owner.Credential = fresh.AccessToken;
        Assert.Equal(email, (await owner.GetMeAsync()).Account.Email);
        await owner.LogoutAsync();
        Assert.Equal(ErrorCodes.TokenRevoked, (await Assert.ThrowsAsync<ParleyApiException>(() => owner.GetMeAsync())).Code);
    }

    [Fact]
    public async Task AnOwnerManagesAgentsAndKeysAndAgentsManageThemselvesThroughTheSdk()
    {
        var account = await server.SignupAsync();
        var workspaceId = account.WorkspaceId;
        using var owner = new ParleyClient(server.BaseAddress, account.AccessToken);

        var handle = Actors.NewHandle("sdk");
        var created = await owner.CreateAgentAsync(workspaceId, new CreateAgentRequest(handle, "Sdk Agent", "made by the sdk"));
        Assert.Equal((handle, "Sdk Agent", workspaceId), (created.Agent.Handle, created.Agent.DisplayName, created.Agent.OwnerWorkspaceId));
        Assert.True(created.Agent.IsDefault);
        var other = await owner.CreateAgentAsync(workspaceId, new CreateAgentRequest(Actors.NewHandle("sdk")));
        Assert.False(other.Agent.IsDefault);
        var all = await owner.ListAgentsAsync(workspaceId);
        Assert.Equal(new[] { created.Agent.Id, other.Agent.Id }.Order(), all.Data.Select(a => a.Id).Order());
        Assert.Single((await owner.ListAgentsAsync(workspaceId, limit: 1)).Data);
        Assert.Equal(handle, (await owner.GetAgentAsync(workspaceId, created.Agent.Id)).Handle);

        var updated = await owner.UpdateAgentAsync(workspaceId, created.Agent.Id, new UpdateAgentRequest(Description: "changed", InboxMode: "contacts_only"));
        Assert.Equal(("changed", "contacts_only", "Sdk Agent"), (updated.Description, updated.InboxMode, updated.DisplayName));

        // Keys: a second key is listed, revoked, and stops working; the first still works.
        var key = await owner.CreateKeyAsync(workspaceId, created.Agent.Id, name: "second");
        Assert.Equal(("secret", "second"), (key.Key.Kind, key.Key.Name));
        var keys = (await owner.ListKeysAsync(workspaceId, created.Agent.Id)).Data;
        Assert.Equal(2, keys.Count);
        Assert.Equal(key.ApiKey[^4..], keys.Single(k => k.Id == key.Key.Id).Last4);
        using var viaSecondKey = new ParleyClient(server.BaseAddress, key.ApiKey);
        Assert.Equal(created.Agent.Id, (await viaSecondKey.GetOwnAgentAsync()).Id);
        await owner.RevokeKeyAsync(workspaceId, created.Agent.Id, key.Key.Id);
        Assert.DoesNotContain((await owner.ListKeysAsync(workspaceId, created.Agent.Id)).Data, k => k.Id == key.Key.Id);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<ParleyApiException>(() => viaSecondKey.GetOwnAgentAsync())).Status);

        // The agent itself: profile, settings, a passport that works as a credential, another agent's public profile.
        using var agent = new ParleyClient(server.BaseAddress, created.ApiKey);
        Assert.Equal("changed", (await agent.GetOwnAgentAsync()).Description);
        Assert.Equal("Renamed", (await agent.UpdateOwnAgentAsync(new UpdateAgentRequest(DisplayName: "Renamed"))).DisplayName);
        Assert.Equal("Renamed", (await owner.GetAgentAsync(workspaceId, created.Agent.Id)).DisplayName);
        var passport = await agent.MintPassportAsync();
        Assert.True(passport.ExpiresAt > server.Clock.GetUtcNow());
        using var viaPassport = new ParleyClient(server.BaseAddress, passport.Passport);
        Assert.Equal(handle, (await viaPassport.GetOwnAgentAsync()).Handle);
        var profile = await agent.GetAgentProfileAsync(other.Agent.Handle);
        Assert.Equal((other.Agent.Handle, other.Agent.Plate), (profile.Handle, profile.Plate));

        // Default and deletion.
        Assert.True((await owner.MakeDefaultAgentAsync(workspaceId, other.Agent.Id)).IsDefault);
        Assert.False((await owner.GetAgentAsync(workspaceId, created.Agent.Id)).IsDefault);
        Assert.Equal(ErrorCodes.AlreadyDefault,
            (await Assert.ThrowsAsync<ParleyApiException>(() => owner.MakeDefaultAgentAsync(workspaceId, other.Agent.Id))).Code);
        await owner.DeleteAgentAsync(workspaceId, created.Agent.Id);
        Assert.Equal(ErrorCodes.AgentNotFound,
            (await Assert.ThrowsAsync<ParleyApiException>(() => owner.GetAgentAsync(workspaceId, created.Agent.Id))).Code);
        Assert.Equal(other.Agent.Id, Assert.Single((await owner.ListAgentsAsync(workspaceId)).Data).Id);
    }

    [Fact]
    public async Task AgentsRegisterRotateRecoverAndAreClaimedAndModeratedThroughTheSdk()
    {
        var email = Actors.NewEmail("agent");
        var handle = Actors.NewHandle("reg");
        using var anonymous = new ParleyClient(server.BaseAddress);
        var pending = await anonymous.RegisterAsync(email, handle, "Registered");
        Assert.True(pending.ExpiresIn > 0);
        var registered = await anonymous.VerifyRegistrationAsync(pending.PendingId, server.LastCode(email));
        Assert.Equal((handle, "Registered"), (registered.Agent.Handle, registered.Agent.DisplayName));
        Assert.Null(registered.Agent.OwnerWorkspaceId);

        using var agent = new ParleyClient(server.BaseAddress, registered.ApiKey);
        var rotation = await agent.StartKeyRotationAsync();
        var rotated = await agent.FinishKeyRotationAsync(rotation.PendingId, server.LastCode(email));
        Assert.NotEqual(registered.ApiKey, rotated.ApiKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<ParleyApiException>(() => agent.GetOwnAgentAsync())).Status);
        agent.Credential = rotated.ApiKey;
        Assert.Equal(handle, (await agent.GetOwnAgentAsync()).Handle);

        var recovery = await anonymous.StartRecoveryAsync(email);
        var recovered = await anonymous.FinishRecoveryAsync(recovery.PendingId, server.LastCode(email));
        Assert.Equal(handle, recovered.Handle);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Assert.ThrowsAsync<ParleyApiException>(() => agent.GetOwnAgentAsync())).Status);
        agent.Credential = recovered.ApiKey;

        // A workspace claims it by its key, then lets it go.
        var account = await server.SignupAsync();
        using var owner = new ParleyClient(server.BaseAddress, account.AccessToken);
        var claimed = await owner.ClaimAgentAsync(account.WorkspaceId, recovered.ApiKey);
        Assert.Equal((registered.Agent.Id, account.WorkspaceId), (claimed.Id, claimed.OwnerWorkspaceId));
        Assert.Equal(account.WorkspaceId, (await agent.GetOwnAgentAsync()).OwnerWorkspaceId);
        await owner.ReleaseAgentAsync(account.WorkspaceId, registered.Agent.Id);
        Assert.Null((await agent.GetOwnAgentAsync()).OwnerWorkspaceId);
        Assert.Equal(ErrorCodes.ClaimNotFound,
            (await Assert.ThrowsAsync<ParleyApiException>(() => owner.ReleaseAgentAsync(account.WorkspaceId, registered.Agent.Id))).Code);

        // The instance admin restricts, suspends and reinstates it.
        using var admin = new ParleyClient(server.BaseAddress, await server.AdminTokenAsync());
        Assert.Equal("restricted", (await admin.RestrictAgentAsync(registered.Agent.Id, "spam")).Status);
        Assert.Contains((await admin.ListAllAgentsAsync(status: "restricted")).Data, a => a.Id == registered.Agent.Id);
        Assert.Equal("suspended", (await admin.SuspendAgentAsync(registered.Agent.Id, "more spam")).Status);
        Assert.Equal("suspended", (await agent.GetOwnAgentAsync()).Status);
        Assert.DoesNotContain((await admin.ListAllAgentsAsync(status: "restricted")).Data, a => a.Id == registered.Agent.Id);
        Assert.Equal("active", (await admin.ReinstateAgentAsync(registered.Agent.Id)).Status);
        Assert.Equal("active", (await agent.GetOwnAgentAsync()).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Assert.ThrowsAsync<ParleyApiException>(() => owner.ListAllAgentsAsync())).Status);
    }

    [Fact]
    public async Task ContactsBlocksMutesPresenceConversationsDirectoryAndWebhooksThroughTheSdk()
    {
        var (account, a, b) = await server.TwoAgentsAsync();
        using var alice = new ParleyClient(server.BaseAddress, a.ApiKey);
        using var bob = new ParleyClient(server.BaseAddress, b.ApiKey);

        var added = await alice.AddContactAsync(b.Handle, "met at the fair");
        Assert.Equal((b.Handle, b.Plate, "met at the fair"), (added.Handle, added.Plate, added.Notes));
        var contacts = await alice.ListContactsAsync();
        Assert.Equal(1, contacts.Total);
        Assert.Equal(b.Handle, Assert.Single(contacts.Data).Handle);
        Assert.Empty((await alice.ListContactsAsync(offset: 1)).Data);
        Assert.Equal("met at the fair", (await alice.GetContactAsync(b.Handle)).Notes);
        Assert.Equal("a good one", (await alice.UpdateContactAsync(b.Handle, "a good one")).Notes);
        Assert.Equal("a good one", (await alice.GetContactAsync(b.Handle)).Notes);

        // Presence: Bob has Alice in his contacts, so Alice may read what he states.
        await bob.AddContactAsync(a.Handle);
        var stated = await bob.SetPresenceAsync("busy", "in a meeting");
        Assert.Equal((b.Handle, "busy", "in a meeting"), (stated.Handle, stated.Status, stated.CustomMessage));
        var seen = await alice.GetPresenceAsync(b.Handle);
        Assert.Equal(("busy", "in a meeting"), (seen.Status, seen.CustomMessage));
        await bob.RemoveContactAsync(a.Handle);
        Assert.Equal(ErrorCodes.AgentNotFound, (await Assert.ThrowsAsync<ParleyApiException>(() => alice.GetPresenceAsync(b.Handle))).Code);
        Assert.Equal(0, (await bob.ListContactsAsync()).Total);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<ParleyApiException>(() => bob.GetContactAsync(a.Handle))).Code);

        // Blocks stop direct messages both ways until lifted.
        await alice.BlockAsync(b.Handle);
        Assert.Equal(b.Handle, Assert.Single((await alice.ListBlocksAsync()).Data).Handle);
        Assert.Equal(ErrorCodes.Blocked, (await Assert.ThrowsAsync<ParleyApiException>(() => bob.SendTextAsync(a.Handle, "hello?"))).Code);
        await alice.UnblockAsync(b.Handle);
        Assert.Empty((await alice.ListBlocksAsync()).Data);

        // Conversations, read receipts, hiding.
        var sent = await alice.SendTextAsync(b.Handle, "hello bob");
        var conversation = Assert.Single((await bob.ListConversationsAsync()).Data);
        Assert.Equal((sent.ConversationId, 1L), (conversation.Id, conversation.UnreadCount));
        Assert.Equal(sent.Id, conversation.LastMessage?.Id);
        var read = await bob.MarkReadAsync(sent.Id);
        Assert.Equal((sent.ConversationId, sent.Seq), (read.ConversationId, read.LastReadSeq));
        Assert.Equal(0, Assert.Single((await bob.ListConversationsAsync(limit: 5)).Data).UnreadCount);
        await bob.HideMessageAsync(sent.Id);
        Assert.Empty((await bob.GetHistoryAsync(sent.ConversationId)).Data);
        Assert.Equal(sent.Id, Assert.Single((await alice.GetHistoryAsync(sent.ConversationId)).Data).Id);

        // Mutes.
        var mute = await alice.MuteAsync(conversationId: sent.ConversationId, mutedUntil: server.Clock.GetUtcNow().AddHours(1));
        Assert.Equal(sent.ConversationId, mute.ConversationId);
        var byHandle = await alice.MuteAsync(handle: b.Handle);
        Assert.Equal(b.Handle, byHandle.Handle);
        Assert.Equal(new[] { mute.Id, byHandle.Id }.Order(), (await alice.ListMutesAsync()).Data.Select(m => m.Id).Order());
        await alice.UnmuteAsync(mute.Id);
        Assert.Equal(byHandle.Id, Assert.Single((await alice.ListMutesAsync()).Data).Id);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<ParleyApiException>(() => alice.UnmuteAsync(mute.Id))).Code);

        // The directory finds listed agents by handle.
        Assert.Equal(b.Plate, Assert.Single((await alice.SearchDirectoryAsync(b.Handle)).Data).Plate);
        await bob.UpdateOwnAgentAsync(new UpdateAgentRequest(Listed: false));
        Assert.Empty((await alice.SearchDirectoryAsync(b.Handle, limit: 5)).Data);

        // Webhooks.
        var hook = await alice.CreateWebhookAsync("https://example.test/parley-hook", ["message.new"]);
        Assert.StartsWith("whsec_", hook.Secret, StringComparison.Ordinal);
        var listedHook = Assert.Single((await alice.ListWebhooksAsync()).Data);
        Assert.Equal((hook.Id, "https://example.test/parley-hook", "message.new"), (listedHook.Id, listedHook.Url, Assert.Single(listedHook.Events)));
        await alice.DeleteWebhookAsync(hook.Id);
        Assert.Empty((await alice.ListWebhooksAsync()).Data);
        Assert.Equal(ErrorCodes.InvalidUrl,
            (await Assert.ThrowsAsync<ParleyApiException>(() => alice.CreateWebhookAsync("ftp://example.test/x", ["message.new"]))).Code);

        // A report blocks, once.
        await alice.ReportAsync(b.Handle, "rude");
        Assert.Equal(b.Handle, Assert.Single((await alice.ListBlocksAsync()).Data).Handle);
        Assert.Equal(ErrorCodes.Conflict, (await Assert.ThrowsAsync<ParleyApiException>(() => alice.ReportAsync(b.Handle))).Code);

        // The one message sent is the workspace's only metered message today.
        using var owner = new ParleyClient(server.BaseAddress, account.AccessToken);
        var daily = await owner.GetDailyUsageAsync(account.WorkspaceId, Meters.Messages, days: 3);
        Assert.Equal(Meters.Messages, daily.Meter);
        Assert.Equal(3, daily.Data.Count);
        Assert.Equal(1, daily.Data[^1].Count);
        Assert.Equal(1, daily.Data.Sum(d => d.Count));
    }

    [Fact]
    public async Task GroupsAreListedRenamedModeratedLeftAndDeletedThroughTheSdk()
    {
        var (_, a, b) = await server.TwoAgentsAsync();
        using var alice = new ParleyClient(server.BaseAddress, a.ApiKey);
        using var bob = new ParleyClient(server.BaseAddress, b.ApiKey);

        var created = await alice.CreateGroupAsync("first name", [b.Handle], "about");
        var groupId = created.Group.Id;
        await bob.DeclineGroupInviteAsync(Assert.Single((await bob.ListGroupInvitesAsync()).Data).Id);
        Assert.Empty((await bob.ListGroupInvitesAsync()).Data);
        Assert.Equal("invited", (await alice.AddGroupMemberAsync(groupId, b.Handle)).Outcome);
        await bob.AcceptGroupInviteAsync(Assert.Single((await bob.ListGroupInvitesAsync()).Data).Id);

        Assert.Equal(groupId, Assert.Single((await bob.ListGroupsAsync()).Data).Id);
        var renamed = await alice.UpdateGroupAsync(groupId, name: "second name");
        Assert.Equal(("second name", "about"), (renamed.Name, renamed.Description));
        var seen = await bob.GetGroupAsync(groupId);
        Assert.Equal(("second name", 2, "member"), (seen.Name, seen.MemberCount, seen.YourRole));

        var promoted = await alice.PromoteGroupMemberAsync(groupId, b.Handle);
        Assert.Equal("admin", promoted.Members.Single(m => m.Agent.Handle == b.Handle).Role);
        var demoted = await alice.DemoteGroupMemberAsync(groupId, b.Handle);
        Assert.Equal("member", demoted.Members.Single(m => m.Agent.Handle == b.Handle).Role);

        // The last admin leaves: the earliest-joined member takes over.
        var left = await alice.LeaveGroupAsync(groupId);
        Assert.Equal((groupId, b.Handle), (left.GroupId, left.PromotedHandle));
        Assert.Empty((await alice.ListGroupsAsync()).Data);
        Assert.Equal("admin", (await bob.GetGroupAsync(groupId)).YourRole);

        var other = await bob.CreateGroupAsync("another", [a.Handle]);
        Assert.Equal("invited", Assert.Single(other.AddResults).Outcome);
        await alice.AcceptGroupInviteAsync(Assert.Single((await alice.ListGroupInvitesAsync()).Data).Id);
        await bob.RemoveGroupMemberAsync(other.Group.Id, a.Handle);
        Assert.Equal(1, (await bob.GetGroupAsync(other.Group.Id)).MemberCount);
        Assert.Equal(ErrorCodes.Forbidden, (await Assert.ThrowsAsync<ParleyApiException>(() => bob.DeleteGroupAsync(groupId))).Code);
        var deleted = await bob.DeleteGroupAsync(other.Group.Id);
        Assert.Equal(other.Group.Id, deleted.GroupId);
        Assert.Equal(ErrorCodes.GroupDeleted, (await Assert.ThrowsAsync<ParleyApiException>(() => bob.GetGroupAsync(other.Group.Id))).Code);
    }

    [Fact]
    public async Task RoomInvitationsToAPersonAreListedAcceptedAndDeclinedThroughTheSdk()
    {
        var host = await server.SignupAsync();
        var guest = await server.SignupVerifiedAsync();
        var first = await server.CreateRoomAsync(host.AccessToken, "first room");
        var second = await server.CreateRoomAsync(host.AccessToken, "second room");
        var firstInvite = await server.InviteAsync(host.AccessToken, first, "human_email", guest.Email);
        var secondInvite = await server.InviteAsync(host.AccessToken, second, "human_email", guest.Email);

        using var client = new ParleyClient(server.BaseAddress, guest.AccessToken);
        var pending = (await client.ListRoomInvitesAsync()).Data;
        Assert.Equal(new[] { (firstInvite, first), (secondInvite, second) }.Order(), pending.Select(i => (i.Id, i.RoomId)).Order());
        Assert.All(pending, i => Assert.Equal(("human_email", "pending"), (i.Kind, i.Status)));

        Assert.Equal(first, (await client.AcceptRoomInviteAsync(firstInvite)).Room.Id);
        await client.DeclineRoomInviteAsync(secondInvite);
        Assert.Empty((await client.ListRoomInvitesAsync()).Data);
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<ParleyApiException>(() => client.AcceptRoomInviteAsync(secondInvite))).Code);
    }

    [Fact]
    public async Task ModelProvidersAreReadChangedAndRemovedThroughTheSdk()
    {
        var account = await server.SignupAsync();
        using var owner = new ParleyClient(server.BaseAddress, account.AccessToken);
        var provider = await owner.CreateModelProviderAsync(account.WorkspaceId,
            new CreateModelProviderRequest("models", "https://models.example.test/v1", null, ["small", "large"], "small"));

        var read = await owner.GetModelProviderAsync(account.WorkspaceId, provider.Id);
        Assert.Equal(("models", "https://models.example.test/v1", "small"), (read.Name, read.BaseUrl, read.DefaultModel));
        var changed = await owner.UpdateModelProviderAsync(account.WorkspaceId, provider.Id, new UpdateModelProviderRequest("renamed", DefaultModel: "large"));
        Assert.Equal(("renamed", "large", 2), (changed.Name, changed.DefaultModel, changed.Models.Count));
        Assert.Equal("renamed", (await owner.GetModelProviderAsync(account.WorkspaceId, provider.Id)).Name);

        await owner.DeleteModelProviderAsync(account.WorkspaceId, provider.Id);
        Assert.Empty((await owner.ListModelProvidersAsync(account.WorkspaceId)).Data);
        Assert.Equal(ErrorCodes.NotFound,
            (await Assert.ThrowsAsync<ParleyApiException>(() => owner.GetModelProviderAsync(account.WorkspaceId, provider.Id))).Code);
    }

    [Fact]
    public async Task HealthAndSingleCatalogEntriesThroughTheSdk()
    {
        using var client = new ParleyClient(server.BaseAddress);
        Assert.Equal("ok", (await client.GetHealthAsync()).GetProperty("status").GetString());
        Assert.True(await client.IsReadyAsync());

        var entry = await client.GetErrorAsync(ErrorCodes.RateLimited);
        var expected = ErrorCatalog.All.Single(e => e.Code == ErrorCodes.RateLimited);
        Assert.Equal((ErrorCodes.RateLimited, 429, true, expected.Title), (entry.Code, entry.Status, entry.Retryable, entry.Title));
        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<ParleyApiException>(() => client.GetErrorAsync("NO_SUCH_CODE"))).Code);
    }
}
