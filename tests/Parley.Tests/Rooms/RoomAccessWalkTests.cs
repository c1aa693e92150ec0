using System.Net;
using System.Text.RegularExpressions;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Rooms;

/// <summary>
/// Membership is the boundary, on every route. The walk takes every route of the OpenAPI document under
/// <c>/v1/rooms/{roomId}</c> and <c>/v1/tasks/{taskId}</c>, fills in a real room's ids, and calls it as callers that may
/// not see the room (404 <c>NOT_FOUND</c>, as for a missing room) and as an agent whose owner can see the room but
/// which is not a member (403 <c>NOT_A_MEMBER</c> naming the room).
/// </summary>
public sealed partial class RoomAccessWalkTests(RoomsServer server) : IClassFixture<RoomsServer>
{
    [Fact]
    public async Task EveryRoomRouteAnswersNotFoundToOutsidersAndNotAMemberToTheOwnersOtherAgents()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId, assignee: setup.A.Handle);
        await (await server.Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/notes.md", new { content = "n" }, setup.A.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var nonMember = await server.CreateAgentAsync(setup.Owner);
        var stranger = await server.SignupAsync();
        var strangerAgent = await server.CreateAgentAsync(stranger);

        var ids = new Dictionary<string, string>
        {
            ["roomId"] = setup.RoomId,
            ["taskId"] = task.Id(),
            ["memberId"] = setup.A.Id,
            ["path"] = "notes.md",
        };
        // Values of the right types for every request body, so nothing fails before the membership check.
        var body = new
        {
            name = "x", topic = "x", status = "active", agent_id = setup.B.Id, role = "member", kind = "agent_plate", target = setup.B.Plate,
            mode = "task_by_task", body = "x", title = "x", claim_token = "prl_claim_x", content = "x", encoding = "utf-8", path = "a.txt",
            content_type = "text/plain", size_bytes = 1, sha256 = new string('a', 64), reason = "x",
        };

        var document = await (await server.Http.GetAsync("/openapi/v1.json")).OkAsync();
        var walked = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            if (!path.Name.StartsWith("/v1/rooms/{roomId}", StringComparison.Ordinal) && !path.Name.StartsWith("/v1/tasks/{taskId}", StringComparison.Ordinal))
            {
                continue;
            }
            var url = ParameterPattern().Replace(path.Name, m => ids[m.Groups[1].Value]);
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                var payload = method == HttpMethod.Get || method == HttpMethod.Delete ? null : body;
                foreach (var outsider in new[] { stranger.AccessToken, strangerAgent.ApiKey })
                {
                    var response = await server.Http.SendAsync(method, url, payload, outsider);
                    await response.ErrorAsync(ErrorCodes.NotFound);
                }
                var refused = await (await server.Http.SendAsync(method, url, payload, nonMember.ApiKey)).ErrorAsync(ErrorCodes.NotAMember);
                Assert.Equal(setup.RoomId, refused.GetProperty("details").GetProperty("room_id").GetString());
                walked.Add($"{method} {path.Name}");
            }
        }
        // Every room and task route of rooms.md (files, uploads, consent and grant included).
        Assert.True(walked.Count >= 28, "walked only: " + string.Join(", ", walked));
        foreach (var expected in new[]
        {
            "GET /v1/rooms/{roomId}", "PATCH /v1/rooms/{roomId}", "POST /v1/rooms/{roomId}/members", "DELETE /v1/rooms/{roomId}/members/{memberId}",
            "POST /v1/rooms/{roomId}/invites", "DELETE /v1/rooms/{roomId}/grant", "PUT /v1/rooms/{roomId}/consent", "POST /v1/rooms/{roomId}/messages",
            "POST /v1/rooms/{roomId}/tasks", "PUT /v1/rooms/{roomId}/files/{path}", "POST /v1/rooms/{roomId}/uploads", "POST /v1/tasks/{taskId}/claim",
            "POST /v1/tasks/{taskId}/renew", "POST /v1/tasks/{taskId}/status", "POST /v1/tasks/{taskId}/accept", "GET /v1/tasks/{taskId}/events",
        })
        {
            Assert.Contains(expected, walked);
        }

        // Nothing changed: the task is still unclaimed and assigned, the file still there.
        var after = await server.GetTaskAsync(setup.Owner.AccessToken, task.Id());
        Assert.Equal("todo", after.GetProperty("status").GetString());
        Assert.Equal(setup.A.Id, after.GetProperty("assignee").GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync($"/v1/rooms/{setup.RoomId}/files/notes.md", setup.A.ApiKey)).StatusCode);
    }

    [Fact]
    public async Task FilesOfARoomAreNotFoundThroughTheFileRoutesForWhoCannotSeeTheRoom()
    {
        var setup = await server.RoomWithAgentsAsync();
        var file = await (await server.Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{setup.RoomId}/files/a.txt", new { content = "a" }, setup.A.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        var fileId = file.GetProperty("file_id").GetString()!;
        var nonMember = await server.CreateAgentAsync(setup.Owner);
        var stranger = await server.SignupAsync();
        foreach (var token in new[] { nonMember.ApiKey, stranger.AccessToken })
        {
            await (await server.Http.GetAsync($"/v1/files/{fileId}", token)).ErrorAsync(ErrorCodes.NotFound);
            await (await server.Http.GetAsync($"/v1/files/{fileId}/content", token)).ErrorAsync(ErrorCodes.NotFound);
            await (await server.Http.PostAsync($"/v1/files/{fileId}/complete", null, token)).ErrorAsync(ErrorCodes.NotFound);
        }
        await (await server.Http.GetAsync("/v1/files/file_01J0000000000000000000000", setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.NotFound);
        Assert.Equal("uploaded", (await (await server.Http.GetAsync($"/v1/files/{fileId}", setup.B.ApiKey)).OkAsync()).GetProperty("status").GetString());
        Assert.Equal("a", await (await server.Http.GetAsync($"/v1/files/{fileId}/content", setup.Owner.AccessToken)).Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex ParameterPattern();
}
