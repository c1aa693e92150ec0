using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Server.Data;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

/// <summary>
/// What the owner event stream (surfaces.md) will carry is recorded now, in the write that makes it happen: each state
/// of a run, a device coming online and going offline, a usage threshold, a cross-owner task waiting for consent. The
/// actions go through HTTP and WebSockets; the test reads the recorded rows from the server's database.
/// </summary>
public sealed class OwnerEventRecordTests(WakeServer server) : IClassFixture<WakeServer>
{
    private HttpClient Http => server.Http;

    private async Task<List<(string Type, JsonElement Data)>> EventsAsync(string workspaceId)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ParleyDb>().OwnerEvents.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId).OrderBy(e => e.Id).Select(e => new { e.Type, e.Data }).ToListAsync();
        return [.. rows.Select(r => (r.Type, JsonDocument.Parse(r.Data).RootElement))];
    }

    [Fact]
    public async Task RunStatesDevicePresenceAndUsageThresholdsAreRecordedForTheWorkspacesOwners()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{owner.WorkspaceId}/plan", new { plan = "onerun" }, await server.AdminTokenAsync())).OkAsync();
        var started = await (await Http.PostAsync("/v1/devices/pairings", new { name = "laptop", platform = "linux" })).OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/devices/approve", new { user_code = started.GetProperty("user_code").GetString() },
            owner.AccessToken)).OkAsync();
        var issued = await (await Http.PostAsync("/v1/devices/pairings/token", new { device_code = started.GetProperty("device_code").GetString() })).OkAsync();
        var token = issued.GetProperty("device_token").GetString()!;
        var deviceId = issued.GetProperty("device").GetProperty("id").GetString();
        await (await Http.SendAsync(HttpMethod.Put, "/v1/devices/me/bindings", new[] { new { agent = agent.Handle, host = "custom" } }, token)).OkAsync();

        var runId = "";
        await using (var listener = await TestSocket.ConnectAsync(server.BaseAddress, token, path: "/v1/devices/ws"))
        {
            await listener.SendAsync(new { type = "hello", listener_version = "test", hosts = new[] { "custom" } });
            await listener.ExpectAsync("hello.ok");
            runId = (await (await Http.PostAsync($"/v1/agents/{agent.Handle}/runs", null, owner.AccessToken)).OkAsync(HttpStatusCode.Created)).Id();
            await listener.ExpectAsync("wake");
            await (await Http.PostAsync($"/v1/runs/{runId}/accept", null, token)).OkAsync();
            await (await Http.PostAsync($"/v1/runs/{runId}/finish", new { status = "succeeded", exit_code = 0 }, token)).OkAsync();
        }
        // The socket's close is recorded by the server after the client has gone: wait for it (bounded).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await EventsAsync(owner.WorkspaceId)).Any(e => e.Type == "device.offline"))
        {
            Assert.True(DateTime.UtcNow < deadline, "device.offline was not recorded");
            await Task.Delay(20);
        }

        var events = await EventsAsync(owner.WorkspaceId);
        // The run was admitted against its quota (one a month: that crosses 80 % and 100 % at once) before it was stored.
        Assert.Equal(["device.online", "usage.threshold", "usage.threshold", "run.updated", "run.updated", "run.updated", "run.updated", "device.offline"],
            events.Select(e => e.Type));
        Assert.Equal(deviceId, events[0].Data.GetProperty("device_id").GetString());
        var runEvents = events.Where(e => e.Type == "run.updated").Select(e => e.Data).ToList();
        Assert.All(runEvents, e => Assert.Equal((runId, agent.Id), (e.GetProperty("run_id").GetString(), e.GetProperty("agent_id").GetString())));
        Assert.Equal(["queued", "dispatched", "running", "succeeded"], runEvents.Select(e => e.GetProperty("status").GetString()));
        Assert.Equal([80, 100], events.Where(e => e.Type == "usage.threshold").Select(e => e.Data.GetProperty("percent").GetInt32()));
        var threshold = events.Last(e => e.Type == "usage.threshold").Data;
        Assert.Equal(("runs", 100, 1L, 1L), (threshold.GetProperty("meter").GetString(), threshold.GetProperty("percent").GetInt32(),
            threshold.GetProperty("count").GetInt64(), threshold.GetProperty("quota").GetInt64()));
        Assert.Equal(deviceId, events[^1].Data.GetProperty("device_id").GetString());

        // Nothing of it reaches another workspace; past ten minutes the record is pruned.
        var stranger = await server.SignupAsync();
        Assert.Empty(await EventsAsync(stranger.WorkspaceId));
        server.Clock.Advance(TimeSpan.FromMinutes(11));
        await (await Http.PostAsync("/_test/jobs/owner-events-prune", null)).OkAsync();
        Assert.Empty(await EventsAsync(owner.WorkspaceId));
    }

    [Fact]
    public async Task ACrossOwnerTaskWaitingForConsentIsRecordedForTheAssigneesOwner()
    {
        var setup = await server.CrossOwnerRoomAsync();
        var task = await server.CreateTaskAsync(setup.OwnerA.AccessToken, setup.RoomId, assignee: setup.AgentB.Plate);
        Assert.Equal("pending", task.GetProperty("consent").GetString());
        var recorded = Assert.Single(await EventsAsync(setup.OwnerB.WorkspaceId), e => e.Type == "task.consent_requested").Data;
        Assert.Equal((setup.RoomId, task.Id(), setup.AgentB.Id), (recorded.GetProperty("room_id").GetString(), recorded.GetProperty("task_id").GetString(),
            recorded.GetProperty("agent_id").GetString()));
        Assert.DoesNotContain(await EventsAsync(setup.OwnerA.WorkspaceId), e => e.Type == "task.consent_requested");
    }
}
