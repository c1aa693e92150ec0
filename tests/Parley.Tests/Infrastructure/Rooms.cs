using System.Net;
using System.Text.Json;

namespace Parley.Tests.Infrastructure;

/// <summary>A server for room tests: the per-caller room rate limits are raised so busy tests are not throttled.</summary>
public class RoomsServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:Rates:room-write:Limit"] = "100000";
        settings["Limits:Rates:room-read:Limit"] = "100000";
        settings["Limits:Rates:room-upload:Limit"] = "100000";
        settings["Limits:Rates:lease-renew:Limit"] = "100000";
        // Tests move the clock by hours; sockets must not time out on pings meanwhile.
        settings["Limits:WebSocketPingSeconds"] = "86400";
    }
}

/// <summary>A room of one owner with two member agents.</summary>
public sealed record RoomSetup(Owner Owner, string RoomId, TestAgent A, TestAgent B);

/// <summary>A room of owner A with A's agent, joined by owner B's agent through an accepted invitation.</summary>
public sealed record CrossOwnerSetup(Owner OwnerA, TestAgent AgentA, Owner OwnerB, TestAgent AgentB, string RoomId);

/// <summary>Room helpers over the public API.</summary>
public static class RoomActions
{
    public static async Task<string> CreateRoomAsync(this TestServer server, string token, string? name = null, string? workspaceId = null)
    {
        var room = await (await server.Http.PostAsync("/v1/rooms", new { name = name ?? "Room " + Guid.NewGuid().ToString("N")[..6], workspace_id = workspaceId }, token))
            .OkAsync(HttpStatusCode.Created);
        return room.GetProperty("id").GetString()!;
    }

    public static async Task AddMemberAsync(this TestServer server, string adminToken, string roomId, string agentId) =>
        await (await server.Http.PostAsync($"/v1/rooms/{roomId}/members", new { agent_id = agentId }, adminToken)).OkAsync(HttpStatusCode.Created);

    public static async Task<RoomSetup> RoomWithAgentsAsync(this TestServer server)
    {
        var owner = await server.SignupAsync();
        var a = await server.CreateAgentAsync(owner);
        var b = await server.CreateAgentAsync(owner);
        var roomId = await server.CreateRoomAsync(owner.AccessToken);
        await server.AddMemberAsync(owner.AccessToken, roomId, a.Id);
        await server.AddMemberAsync(owner.AccessToken, roomId, b.Id);
        return new RoomSetup(owner, roomId, a, b);
    }

    /// <summary>Owner A's room with A's agent; owner B's agent invited by plate and accepted by B (which grants consent).</summary>
    public static async Task<CrossOwnerSetup> CrossOwnerRoomAsync(this TestServer server, string[]? scopesOfA = null)
    {
        var ownerA = await server.SignupAsync();
        var agentA = await server.CreateAgentAsync(ownerA, scopes: scopesOfA);
        var ownerB = await server.SignupAsync();
        var agentB = await server.CreateAgentAsync(ownerB);
        var roomId = await server.CreateRoomAsync(ownerA.AccessToken);
        await server.AddMemberAsync(ownerA.AccessToken, roomId, agentA.Id);
        var inviteId = await server.InviteAsync(ownerA.AccessToken, roomId, "agent_plate", agentB.Plate);
        await (await server.Http.PostAsync($"/v1/invites/{inviteId}/accept", null, ownerB.AccessToken)).OkAsync();
        return new CrossOwnerSetup(ownerA, agentA, ownerB, agentB, roomId);
    }

    public static async Task<string> InviteAsync(this TestServer server, string adminToken, string roomId, string kind, string target)
    {
        var created = await (await server.Http.PostAsync($"/v1/rooms/{roomId}/invites", new { kind, target }, adminToken)).OkAsync(HttpStatusCode.Created);
        return created.GetProperty("invite").GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> CreateTaskAsync(this TestServer server, string token, string roomId, string? title = null, string? assignee = null) =>
        await (await server.Http.PostAsync($"/v1/rooms/{roomId}/tasks", new { title = title ?? "Task " + Guid.NewGuid().ToString("N")[..6], assignee }, token))
            .OkAsync(HttpStatusCode.Created);

    public static Task<HttpResponseMessage> ClaimAsync(this TestServer server, TestAgent agent, string taskId, string? instanceId = null, int? ttlSeconds = null) =>
        server.Http.PostAsync($"/v1/tasks/{taskId}/claim", new { instance_id = instanceId, ttl_seconds = ttlSeconds }, agent.ApiKey);

    /// <summary>Claims and returns the claim token.</summary>
    public static async Task<string> ClaimOkAsync(this TestServer server, TestAgent agent, string taskId, string? instanceId = null, int? ttlSeconds = null) =>
        (await (await server.ClaimAsync(agent, taskId, instanceId, ttlSeconds)).OkAsync()).GetProperty("claim_token").GetString()!;

    public static async Task<JsonElement> GetTaskAsync(this TestServer server, string token, string taskId) =>
        await (await server.Http.GetAsync($"/v1/tasks/{taskId}", token)).OkAsync();

    public static async Task<List<string>> TaskEventTypesAsync(this TestServer server, string token, string taskId) =>
        [.. (await (await server.Http.GetAsync($"/v1/tasks/{taskId}/events", token)).OkAsync()).GetProperty("data").EnumerateArray()
            .Select(e => e.GetProperty("type").GetString()!)];

    public static Task<HttpResponseMessage> SetRoomStatusAsync(this TestServer server, string adminToken, string roomId, string status) =>
        server.Http.SendAsync(HttpMethod.Patch, $"/v1/rooms/{roomId}", new { status }, adminToken);

    /// <summary>A personal access token (a year long), for tests that move the clock past a session's 15 minutes.</summary>
    public static async Task<string> PersonalTokenAsync(this TestServer server, Owner owner) =>
        (await (await server.Http.PostAsync("/v1/me/tokens", new { name = "tests" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created))
            .GetProperty("secret").GetString()!;

    /// <summary>
    /// The payload of the next <c>task.updated</c> with this change. Events of earlier actions may still be on their way
    /// (across nodes they are not ordered), so others are skipped.
    /// </summary>
    public static async Task<JsonElement> ExpectTaskChangeAsync(this TestSocket socket, string change)
    {
        while (true)
        {
            var payload = (await socket.ExpectAsync("task.updated")).GetProperty("payload");
            if (payload.GetProperty("change").GetString() == change)
            {
                return payload;
            }
        }
    }

    public static string Id(this JsonElement element) => element.GetProperty("id").GetString()!;
}
