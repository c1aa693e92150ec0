using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Gateway;

/// <summary>Held calls: the owner's long-poll sees them, approves, denies; they expire on the injected clock; a caller that leaves cancels.</summary>
public sealed class ApprovalTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    private HttpClient Http => server.Http;

    private async Task<JsonElement> NextPendingAsync(Owner owner, params string[] exclude)
    {
        var started = DateTime.UtcNow;
        var listed = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/approvals?wait=30&exclude={string.Join(',', exclude)}", owner.AccessToken)).OkAsync();
        Assert.True(listed.GetProperty("data").GetArrayLength() == 1, $"after {(DateTime.UtcNow - started).TotalMilliseconds} ms: {listed}");
        return Assert.Single(listed.GetProperty("data").EnumerateArray());
    }

    private Task<HttpResponseMessage> DecideAsync(Owner owner, string id, string decision, bool remember = false) =>
        Http.PostAsync($"/v1/approvals/{id}/decision", new { decision, remember }, owner.AccessToken);

    [Fact]
    public async Task AHeldCallGoesWhenApprovedAndStopsWhenDeniedOrExpired()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var rule = await server.AddRuleAsync(owner, new { name = "ask me", host_pattern = server.Plain.HostPattern, path_pattern = "/held/*", action = "manual_approval" });
        await server.AddSecretAsync(owner, server.Plain.HostPattern, new { kind = "header", header_name = "X-Key" }, "vaulted-value-42");

        // The owner's long-poll is waiting before the call arrives; it answers as soon as the call is held.
        var poll = NextPendingAsync(owner);
        var call = server.CallAsync(agent, "POST", server.Plain.Url("/held/deploy?token=abc"), body: "ship it, key vaulted-value-42");
        var pending = await poll;
        Assert.Equal(("POST", "/held/deploy", rule.Id(), "pending"), (pending.GetProperty("method").GetString(), pending.GetProperty("path").GetString(),
            pending.GetProperty("rule_id").GetString(), pending.GetProperty("status").GetString()));
        Assert.Equal(server.Plain.Url("/held/deploy").ToString(), pending.GetProperty("url").GetString());
        Assert.Equal("ship it, key [vault]", pending.GetProperty("body_preview").GetString());
        Assert.Equal(agent.Id, pending.GetProperty("agent").GetProperty("id").GetString());
        Assert.False(call.IsCompleted);
        var approved = await (await DecideAsync(owner, pending.Id(), "approve", remember: true)).OkAsync();
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal(200, (await (await call).OkAsync()).GetProperty("status").GetInt32());
        var conflict = await (await DecideAsync(owner, pending.Id(), "deny")).ErrorAsync(ErrorCodes.Conflict);
        Assert.Equal("approved", conflict.GetProperty("details").GetProperty("approval_status").GetString());

        // Remembered: the same agent, method and path is not asked again; another method is.
        await (await server.CallAsync(agent, "POST", server.Plain.Url("/held/deploy"))).OkAsync();
        var put = server.CallAsync(agent, "PUT", server.Plain.Url("/held/deploy"));
        var second = await NextPendingAsync(owner);
        await (await DecideAsync(owner, second.Id(), "deny")).OkAsync();
        var denied = await (await put).ErrorAsync(ErrorCodes.ApprovalDenied);
        Assert.Equal((second.Id(), "denied"), (denied.GetProperty("details").GetProperty("approval_id").GetString(),
            denied.GetProperty("details").GetProperty("approval_status").GetString()));

        // Nobody answers: at the timeout (60 s here) the call is refused as expired.
        var late = server.CallAsync(agent, "DELETE", server.Plain.Url("/held/deploy"));
        var third = await NextPendingAsync(owner);
        Assert.Empty((await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/approvals?wait=0&exclude={third.Id()}", owner.AccessToken)).OkAsync())
            .GetProperty("data").EnumerateArray());
        server.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("expired", (await (await late).ErrorAsync(ErrorCodes.ApprovalDenied)).GetProperty("details").GetProperty("approval_status").GetString());
        Assert.Equal(1, server.Plain.Requests.Count(r => r.Path == "/held/deploy" && r.Method == "POST" && r.Query == "?token=abc"));
        Assert.DoesNotContain(server.Plain.Requests, r => r.Method is "PUT" or "DELETE");

        await using var scope = server.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<ParleyDb>().OwnerEvents.AsNoTracking()
            .Where(e => e.WorkspaceId == owner.WorkspaceId && e.Type.StartsWith("approval.")).OrderBy(e => e.Id).Select(e => e.Type).ToListAsync();
        Assert.Equal(["approval.requested", "approval.decided", "approval.requested", "approval.decided", "approval.requested", "approval.decided"], events);
    }

    [Fact]
    public async Task ACallerThatGoesAwayCancelsItsApproval()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await server.AddRuleAsync(owner, new { name = "ask me", host_pattern = server.Plain.HostPattern, action = "manual_approval" });
        using var client = server.NewClient();
        using var leave = new CancellationTokenSource();
        var call = client.SendAsync(Infrastructure.Http.Request(HttpMethod.Post, "/v1/gateway/calls",
            new { method = "GET", url = server.Plain.Url("/x").ToString() }, agent.ApiKey), leave.Token);
        var pending = await NextPendingAsync(owner);
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var cancelled = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/approvals?status=cancelled", owner.AccessToken)).OkAsync();
            if (cancelled.GetProperty("data").EnumerateArray().Any(a => a.Id() == pending.Id()))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the approval was not cancelled");
            await Task.Delay(20);
        }
        var conflict = await (await DecideAsync(owner, pending.Id(), "approve")).ErrorAsync(ErrorCodes.Conflict);
        Assert.Equal("cancelled", conflict.GetProperty("details").GetProperty("approval_status").GetString());
        var stranger = await server.SignupAsync();
        await (await DecideAsync(stranger, pending.Id(), "approve")).ErrorAsync(ErrorCodes.NotFound);
    }
}
