using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Rooms;

/// <summary>Exactness under real concurrency, on the provider under test (rate limits raised).</summary>
public sealed class RoomConcurrencyTests(RoomsServer server) : IClassFixture<RoomsServer>
{
    [Fact]
    public async Task TwoHundredConcurrentClaimsOfOneTaskHaveExactlyOneWinner()
    {
        var setup = await server.RoomWithAgentsAsync();
        var agents = new List<TestAgent> { setup.A, setup.B };
        for (var i = 0; i < 3; i++)
        {
            var agent = await server.CreateAgentAsync(setup.Owner);
            await server.AddMemberAsync(setup.Owner.AccessToken, setup.RoomId, agent.Id);
            agents.Add(agent);
        }
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId);

        // 200 distinct holders (agent, instance): none of them is "the same holder claiming again".
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => server.ClaimAsync(agents[i % agents.Count], task.Id(), instanceId: $"instance-{i}")));

        var winners = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        Assert.Single(winners);
        var winner = await winners[0].OkAsync();
        var holder = winner.GetProperty("task").GetProperty("claim").GetProperty("holder").GetProperty("id").GetString();
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            var error = await loser.ErrorAsync(ErrorCodes.TaskAlreadyClaimed);
            Assert.Equal(holder, error.GetProperty("details").GetProperty("claimed_by").GetProperty("id").GetString());
        }
        var after = await server.GetTaskAsync(setup.Owner.AccessToken, task.Id());
        Assert.Equal(1, after.GetProperty("generation").GetInt64());
        Assert.Equal(["created", "claimed"], await server.TaskEventTypesAsync(setup.Owner.AccessToken, task.Id()));
    }

    [Fact]
    public async Task ConcurrentMessagesGetGapFreeSeqs()
    {
        var setup = await server.RoomWithAgentsAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            server.Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = $"m{i}" }, i % 2 == 0 ? setup.A.ApiKey : setup.B.ApiKey)));
        var seqs = new List<long>();
        foreach (var response in responses)
        {
            seqs.Add((await response.OkAsync(HttpStatusCode.Created)).GetProperty("seq").GetInt64());
        }
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), seqs.Order());
    }

    [Fact]
    public async Task ConcurrentWritesOfOnePathGetDistinctVersions()
    {
        var setup = await server.RoomWithAgentsAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            server.Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/shared.txt", new { content = $"v{i}" }, setup.A.ApiKey)));
        var versions = new List<long>();
        foreach (var response in responses)
        {
            versions.Add((await response.OkAsync(HttpStatusCode.Created)).GetProperty("version").GetInt64());
        }
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), versions.Order());
    }
}

/// <summary>New workspaces get the <c>free</c> plan: 3 rooms, no cross-owner rooms.</summary>
public sealed class FreePlanServer : RoomsServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["Plans:Default"] = "free";
    }
}

public sealed class RoomPlanTests(FreePlanServer server) : IClassFixture<FreePlanServer>
{
    [Fact]
    public async Task ConcurrentRoomCreationsStopExactlyAtThePlansRoomCount()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            server.Http.PostAsync("/v1/rooms", new { name = $"room {i}" }, i % 2 == 0 ? owner.AccessToken : agent.ApiKey)));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            var details = (await refused.ErrorAsync(ErrorCodes.FeatureLimitReached)).GetProperty("details");
            Assert.Equal(("rooms", 3, 3L), (details.GetProperty("feature").GetString(), details.GetProperty("limit").GetInt32(), details.GetProperty("count").GetInt64()));
        }
        // Another workspace has its own count.
        var other = await server.SignupAsync();
        await server.CreateRoomAsync(other.AccessToken);
    }

    [Fact]
    public async Task InvitingAnotherOwnersAgentNeedsAPlanWithCrossOwnerRooms()
    {
        var owner = await server.SignupAsync();
        var own = await server.CreateAgentAsync(owner);
        var roomId = await server.CreateRoomAsync(owner.AccessToken);
        var stranger = await server.SignupAsync();
        var theirs = await server.CreateAgentAsync(stranger);

        var error = await (await server.Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind = "agent_plate", target = theirs.Plate }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.UpgradeRequired);
        Assert.Equal("cross_owner_rooms", error.GetProperty("details").GetProperty("feature").GetString());
        Assert.Equal("pro", error.GetProperty("details").GetProperty("required_plan").GetString());
        // The room's own agents and people by email need no upgrade.
        await server.InviteAsync(owner.AccessToken, roomId, "agent_plate", own.Plate);
        await server.InviteAsync(owner.AccessToken, roomId, "human_email", stranger.Email);
    }
}
