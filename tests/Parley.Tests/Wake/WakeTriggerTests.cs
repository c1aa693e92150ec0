using System.Net;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

/// <summary>What wakes an agent: room mentions, task assignments, direct messages (when wake_on says so); coalescing; cross-owner wakes.</summary>
public sealed class WakeTriggerTests(WakeServer server) : IClassFixture<WakeServer>
{
    private HttpClient Http => server.Http;

    /// <summary>Pairs a device of the owner's workspace and binds the agent to it.</summary>
    private async Task<string> BindAsync(Owner owner, TestAgent agent, bool constrainedCapable = false)
    {
        var started = await (await Http.PostAsync("/v1/devices/pairings", new { name = "laptop", platform = "linux" })).OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/devices/approve", new { user_code = started.GetProperty("user_code").GetString() },
            owner.AccessToken)).OkAsync();
        var token = (await (await Http.PostAsync("/v1/devices/pairings/token", new { device_code = started.GetProperty("device_code").GetString() })).OkAsync())
            .GetProperty("device_token").GetString()!;
        await (await Http.SendAsync(HttpMethod.Put, "/v1/devices/me/bindings",
            new[] { new { agent = agent.Handle, host = "custom", constrained_capable = constrainedCapable } }, token)).OkAsync();
        return token;
    }

    private async Task<List<JsonElement>> RunsAsync(Owner owner, TestAgent agent) =>
        [.. (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/runs?agent={agent.Handle}", owner.AccessToken)).OkAsync())
            .GetProperty("data").EnumerateArray()];

    [Fact]
    public async Task AMentionWakesABoundAgentAndMoreMentionsCoalesceIntoItsRun()
    {
        var setup = await server.RoomWithAgentsAsync();
        await BindAsync(setup.Owner, setup.B);
        var message = await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "over to you", mentions = new[] { setup.B.Handle } },
            setup.A.ApiKey)).OkAsync(HttpStatusCode.Created);
        var run = Assert.Single(await RunsAsync(setup.Owner, setup.B));
        Assert.Equal(("mention", "queued", setup.RoomId), (run.GetProperty("reason").GetString(), run.GetProperty("status").GetString(),
            run.GetProperty("room_id").GetString()));
        Assert.StartsWith("men_", run.GetProperty("mention_id").GetString());
        Assert.Equal("agent", run.GetProperty("requested_by").GetProperty("kind").GetString());
        Assert.False(run.GetProperty("cross_owner").GetBoolean());
        Assert.Equal(JsonValueKind.String, message.GetProperty("id").ValueKind);

        // While that run is active, another mention makes no second run; the agent finds it in its inbox.
        await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "and this", mentions = new[] { setup.B.Handle } }, setup.A.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        Assert.Single(await RunsAsync(setup.Owner, setup.B));

        // An agent without a binding is not woken; its mention is stored as usual.
        await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "you too", mentions = new[] { setup.A.Handle } }, setup.Owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        Assert.Empty(await RunsAsync(setup.Owner, setup.A));
    }

    [Fact]
    public async Task AssigningATaskWakesTheAssigneeAndDirectMessagesWakeOnlyWhenWakeOnSaysSo()
    {
        var setup = await server.RoomWithAgentsAsync();
        await BindAsync(setup.Owner, setup.B);
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId, assignee: setup.B.Handle);
        var run = Assert.Single(await RunsAsync(setup.Owner, setup.B));
        Assert.Equal(("task_assigned", task.GetProperty("id").GetString()), (run.GetProperty("reason").GetString(), run.GetProperty("task_id").GetString()));
        Assert.Equal("account", run.GetProperty("requested_by").GetProperty("kind").GetString());
        await (await Http.PostAsync($"/v1/runs/{run.GetProperty("id").GetString()}/cancel", null, setup.Owner.AccessToken)).OkAsync();

        await server.SendOkAsync(setup.A, setup.B.Handle, "a direct message");
        Assert.Single(await RunsAsync(setup.Owner, setup.B));
        var patched = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{setup.Owner.WorkspaceId}/agents/{setup.B.Id}",
            new { wake_on = new[] { "direct_message" } }, setup.Owner.AccessToken)).OkAsync();
        Assert.Equal(["direct_message"], patched.GetProperty("wake_on").EnumerateArray().Select(w => w.GetString()));
        await server.SendOkAsync(setup.B, setup.A.Handle, "reply to establish");
        await server.SendOkAsync(setup.A, setup.B.Handle, "now wake up");
        var runs = await RunsAsync(setup.Owner, setup.B);
        Assert.Equal(2, runs.Count);
        Assert.Equal("direct_message", runs[0].GetProperty("reason").GetString());
        Assert.StartsWith("msg_", runs[0].GetProperty("message_id").GetString());
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/workspaces/{setup.Owner.WorkspaceId}/agents/{setup.B.Id}",
            new { wake_on = new[] { "sleepwalk" } }, setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
    }

    [Fact]
    public async Task ACrossOwnerMentionRunsConstrainedOrIsSkippedWhenNoBindingCan()
    {
        var setup = await server.CrossOwnerRoomAsync();
        var deviceToken = await BindAsync(setup.OwnerB, setup.AgentB);
        await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "please look", mentions = new[] { setup.AgentB.Handle } },
            setup.AgentA.ApiKey)).OkAsync(HttpStatusCode.Created);
        var skipped = Assert.Single(await RunsAsync(setup.OwnerB, setup.AgentB));
        Assert.Equal(("skipped", "constrained_runtime_required", true), (skipped.GetProperty("status").GetString(),
            skipped.GetProperty("failure_reason").GetString(), skipped.GetProperty("cross_owner").GetBoolean()));

        await (await Http.SendAsync(HttpMethod.Put, "/v1/devices/me/bindings",
            new[] { new { agent = setup.AgentB.Handle, host = "custom", constrained_capable = true } }, deviceToken)).OkAsync();
        await using var listener = await TestSocket.ConnectAsync(server.BaseAddress, deviceToken, path: "/v1/devices/ws");
        await listener.SendAsync(new { type = "hello", listener_version = "test", hosts = new[] { "custom" } });
        await listener.ExpectAsync("hello.ok");
        await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "again", mentions = new[] { setup.AgentB.Handle } },
            setup.AgentA.ApiKey)).OkAsync(HttpStatusCode.Created);
        var wake = await listener.ExpectAsync("wake");
        var claims = JsonDocument.Parse(Convert.FromBase64String(Pad(wake.GetProperty("envelope").GetString()!.Split('.')[1]))).RootElement;
        Assert.True(claims.GetProperty("constrained").GetBoolean());
        Assert.True(claims.GetProperty("cross_owner").GetBoolean());
        var runId = claims.GetProperty("run_id").GetString();
        var accepted = await (await Http.PostAsync($"/v1/runs/{runId}/accept", null, deviceToken)).OkAsync();
        // A constrained run's passport cannot invoke another owner's agent.
        var passport = accepted.GetProperty("passport").GetString()!;
        var me = await (await Http.GetAsync("/v1/agents/me", passport)).OkAsync();
        Assert.Equal(setup.AgentB.Id, me.GetProperty("id").GetString());
        var scopes = JsonDocument.Parse(Convert.FromBase64String(Pad(passport.Split('.')[1]))).RootElement.GetProperty("scopes");
        Assert.DoesNotContain("invoke", scopes.EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task AnAgentStartsAnotherOwnersAgentOnlyWithInvokeConsentAndAConstrainedCapableBinding()
    {
        var setup = await server.CrossOwnerRoomAsync(scopesOfA: ["read", "write", "invoke"]);
        var path = $"/v1/agents/{setup.AgentB.Handle}/runs";
        await (await Http.PostAsync(path, new { }, setup.AgentA.ApiKey)).ErrorAsync(ErrorCodes.ConstrainedRuntimeRequired);
        var deviceToken = await BindAsync(setup.OwnerB, setup.AgentB);
        await (await Http.PostAsync(path, new { }, setup.AgentA.ApiKey)).ErrorAsync(ErrorCodes.ConstrainedRuntimeRequired);
        await (await Http.SendAsync(HttpMethod.Put, "/v1/devices/me/bindings",
            new[] { new { agent = setup.AgentB.Handle, host = "custom", constrained_capable = true } }, deviceToken)).OkAsync();
        var run = await (await Http.PostAsync(path, new { }, setup.AgentA.ApiKey)).OkAsync(HttpStatusCode.Created);
        Assert.Equal((true, true, setup.AgentA.Id), (run.GetProperty("cross_owner").GetBoolean(), run.GetProperty("constrained").GetBoolean(),
            run.GetProperty("requested_by").GetProperty("id").GetString()));
        await (await Http.PostAsync($"/v1/runs/{run.GetProperty("id").GetString()}/cancel", null, setup.OwnerB.AccessToken)).OkAsync();

        // Without invoke, without a shared room, or once the owner withdraws its grant: refused.
        var plain = await server.CreateAgentAsync(setup.OwnerA, scopes: ["read", "write"]);
        await server.AddMemberAsync(setup.OwnerA.AccessToken, setup.RoomId, plain.Id);
        await (await Http.PostAsync(path, new { }, plain.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
        var outsider = await server.CreateAgentAsync(setup.OwnerA, scopes: ["read", "write", "invoke"]);
        await (await Http.PostAsync(path, new { }, outsider.ApiKey)).ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/rooms/{setup.RoomId}/grant", token: setup.OwnerB.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.PostAsync(path, new { }, setup.AgentA.ApiKey)).ErrorAsync(ErrorCodes.NoGrant);
    }

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text + new string('=', (4 - (text.Length % 4)) % 4);
    }
}
