using System.Net;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Rooms;

/// <summary>The board: creating, editing, listing, deleting, status changes with results, and the task log.</summary>
public sealed class TaskTests(RoomsServer server) : IClassFixture<RoomsServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task TasksAreCreatedListedEditedAndDeletedByTheirCreatorOrARoomAdmin()
    {
        var setup = await server.RoomWithAgentsAsync();
        var url = $"/v1/rooms/{setup.RoomId}/tasks";
        var task = await (await Http.PostAsync(url, new { title = "Draft", detail = "the outline", definition_of_done = "reviewed" }, setup.A.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        Assert.StartsWith("task_", task.Id(), StringComparison.Ordinal);
        Assert.Equal(("todo", "auto"), (task.GetProperty("status").GetString(), task.GetProperty("consent").GetString()));
        Assert.Equal(1, task.GetProperty("order").GetInt64());
        Assert.Equal(0, task.GetProperty("generation").GetInt64());
        Assert.Equal(JsonValueKind.Null, task.GetProperty("claim").ValueKind);
        Assert.Equal(JsonValueKind.Null, task.GetProperty("result").ValueKind);
        Assert.Equal(JsonValueKind.Null, task.GetProperty("assignee").ValueKind);
        Assert.Equal(setup.A.Id, task.GetProperty("created_by").GetProperty("id").GetString());
        var second = await server.CreateTaskAsync(setup.B.ApiKey, setup.RoomId, "Review", assignee: setup.A.Handle);
        Assert.Equal(2, second.GetProperty("order").GetInt64());
        var first = await (await Http.PostAsync(url, new { title = "First", order = 0 }, setup.Owner.AccessToken)).OkAsync(HttpStatusCode.Created);

        await (await Http.PostAsync(url, new { title = new string('t', 201) }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync(url, new { title = " " }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        var outsider = await server.CreateAgentAsync(setup.Owner);
        var notMember = await (await Http.PostAsync(url, new { title = "x", assignee = outsider.Handle }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        Assert.True(notMember.GetProperty("fields").TryGetProperty("assignee", out _));

        var board = (await (await Http.GetAsync(url, setup.B.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray().Select(t => t.Id()).ToList();
        Assert.Equal([first.Id(), task.Id(), second.Id()], board);
        Assert.Equal([second.Id()], (await (await Http.GetAsync($"{url}?assignee={setup.A.Plate}", setup.B.ApiKey)).OkAsync()).GetProperty("data")
            .EnumerateArray().Select(t => t.Id()));
        Assert.Equal(2, (await (await Http.GetAsync($"{url}?assignee=none&status=todo", setup.B.ApiKey)).OkAsync()).GetProperty("data").GetArrayLength());
        var paged = await (await Http.GetAsync($"{url}?limit=2", setup.B.ApiKey)).OkAsync();
        Assert.Equal(2, paged.GetProperty("data").GetArrayLength());
        var rest = await (await Http.GetAsync($"{url}?limit=2&cursor={Uri.EscapeDataString(paged.GetProperty("next_cursor").GetString()!)}", setup.B.ApiKey)).OkAsync();
        Assert.Equal([second.Id()], rest.GetProperty("data").EnumerateArray().Select(t => t.Id()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next_cursor").ValueKind);
        await (await Http.GetAsync($"{url}?status=started", setup.B.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);

        // Only the creator or a room admin edits or deletes.
        var refused = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/tasks/{task.Id()}", new { title = "Mine now" }, setup.B.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("creator_or_admin_only", refused.GetProperty("details").GetProperty("reason").GetString());
        var edited = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/tasks/{task.Id()}", new { title = "Draft v2", detail = "", order = 9 }, setup.A.ApiKey)).OkAsync();
        Assert.Equal(("Draft v2", 9L), (edited.GetProperty("title").GetString(), edited.GetProperty("order").GetInt64()));
        Assert.Equal(JsonValueKind.Null, edited.GetProperty("detail").ValueKind);
        Assert.Equal("reviewed", edited.GetProperty("definition_of_done").GetString());
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/tasks/{task.Id()}", token: setup.B.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/tasks/{task.Id()}", token: setup.Owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync($"/v1/tasks/{task.Id()}", setup.A.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        Assert.Equal(["created"], await server.TaskEventTypesAsync(setup.A.ApiKey, second.Id()));
    }

    [Fact]
    public async Task AssigningAnAgentMentionsItAndReassigningEndsTheLease()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.Owner.AccessToken, setup.RoomId, "Triage", assignee: setup.A.Handle);
        Assert.Equal(setup.A.Id, task.GetProperty("assignee").GetProperty("id").GetString());
        var mention = Assert.Single((await (await Http.GetAsync("/v1/mentions", setup.A.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray());
        Assert.Equal(task.Id(), mention.GetProperty("task_id").GetString());
        Assert.Contains("Triage", mention.GetProperty("excerpt").GetString(), StringComparison.Ordinal);

        // Only the assignee claims an assigned task; people never claim.
        var other = await (await server.ClaimAsync(setup.B, task.Id())).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("not_the_assignee", other.GetProperty("details").GetProperty("reason").GetString());
        var person = await (await Http.PostAsync($"/v1/tasks/{task.Id()}/claim", null, setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("agents_only", person.GetProperty("details").GetProperty("reason").GetString());
        var token = await server.ClaimOkAsync(setup.A, task.Id());

        var reassigned = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/tasks/{task.Id()}", new { assignee = setup.B.Plate }, setup.Owner.AccessToken)).OkAsync();
        Assert.Equal(setup.B.Id, reassigned.GetProperty("assignee").GetProperty("id").GetString());
        Assert.Equal(("todo", JsonValueKind.Null), (reassigned.GetProperty("status").GetString(), reassigned.GetProperty("claim").ValueKind));
        await (await Http.PostAsync($"/v1/tasks/{task.Id()}/renew", new { claim_token = token }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ClaimStale);
        Assert.Single((await (await Http.GetAsync("/v1/mentions", setup.B.ApiKey)).OkAsync()).GetProperty("data").EnumerateArray());
        await server.ClaimOkAsync(setup.B, task.Id());

        // null unassigns; anyone may then claim.
        var unassigned = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/tasks/{task.Id()}", "{\"assignee\": null}", setup.Owner.AccessToken)).OkAsync();
        Assert.Equal(JsonValueKind.Null, unassigned.GetProperty("assignee").ValueKind);
        await server.ClaimOkAsync(setup.A, task.Id());
        Assert.Equal(["created", "claimed", "released", "updated", "stale_rejected", "claimed", "released", "updated", "claimed"],
            await server.TaskEventTypesAsync(setup.Owner.AccessToken, task.Id()));
    }

    [Fact]
    public async Task TheHolderFinishesWithAResultAndPeopleOrTheCreatorCancelOrReopen()
    {
        var setup = await server.RoomWithAgentsAsync();
        var task = await server.CreateTaskAsync(setup.B.ApiKey, setup.RoomId, "Summarise");
        var token = await server.ClaimOkAsync(setup.A, task.Id());
        var report = await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "the summary" }, setup.A.ApiKey)).OkAsync(HttpStatusCode.Created);
        var status = $"/v1/tasks/{task.Id()}/status";

        await (await Http.PostAsync(status, new { status = "done" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync(status, new { status = "doing", claim_token = token }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync(status, new { status = "done", claim_token = token, result_ref = "msg:rmsg_nope" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync(status, new { status = "done", claim_token = token, result_ref = "file:missing.md" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        var notHolder = await (await Http.PostAsync(status, new { status = "done", claim_token = token }, setup.B.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("not_the_holder", notHolder.GetProperty("details").GetProperty("reason").GetString());
        await (await Http.PostAsync(status, new { status = "done", claim_token = token }, setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.Forbidden);

        var done = await (await Http.PostAsync(status, new
        {
            status = "done", claim_token = token, summary = "Summarised", result_ref = "msg:" + report.Id(), artifacts = new[] { "https://example.test/a" }, next = "publish",
        }, setup.A.ApiKey)).OkAsync();
        Assert.Equal(("done", JsonValueKind.Null), (done.GetProperty("status").GetString(), done.GetProperty("claim").ValueKind));
        var result = done.GetProperty("result");
        Assert.Equal("Summarised", result.GetProperty("summary").GetString());
        Assert.Equal("msg:" + report.Id(), result.GetProperty("result_ref").GetString());
        Assert.Equal(["https://example.test/a"], result.GetProperty("artifacts").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("publish", result.GetProperty("next").GetString());
        await (await server.ClaimAsync(setup.A, task.Id())).ErrorAsync(ErrorCodes.Conflict);
        await (await Http.PostAsync(status, new { status = "cancelled" }, setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.Conflict);
        await (await Http.PostAsync(status, new { status = "todo" }, setup.Owner.AccessToken)).ErrorAsync(ErrorCodes.Conflict);

        // failed → reopened by the creator → blocked → reopened by a person → cancelled by a person.
        var again = await server.CreateTaskAsync(setup.B.ApiKey, setup.RoomId, "Retry");
        var t1 = await server.ClaimOkAsync(setup.A, again.Id());
        var againStatus = $"/v1/tasks/{again.Id()}/status";
        Assert.Equal("failed", (await (await Http.PostAsync(againStatus, new { status = "failed", claim_token = t1, reason = "no access" }, setup.A.ApiKey)).OkAsync())
            .GetProperty("status").GetString());
        await (await server.ClaimAsync(setup.A, again.Id())).ErrorAsync(ErrorCodes.Conflict);
        var notCreator = await (await Http.PostAsync(againStatus, new { status = "todo" }, setup.A.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("people_or_creator_only", notCreator.GetProperty("details").GetProperty("reason").GetString());
        var reopened = await (await Http.PostAsync(againStatus, new { status = "todo" }, setup.B.ApiKey)).OkAsync();
        Assert.Equal(("todo", JsonValueKind.Null), (reopened.GetProperty("status").GetString(), reopened.GetProperty("result").ValueKind));
        var t2 = await server.ClaimOkAsync(setup.A, again.Id());
        await (await Http.PostAsync(againStatus, new { status = "blocked", claim_token = t2, next = "needs a key" }, setup.A.ApiKey)).OkAsync();
        await (await server.ClaimAsync(setup.A, again.Id())).ErrorAsync(ErrorCodes.Conflict);
        await (await Http.PostAsync(againStatus, new { status = "todo" }, setup.Owner.AccessToken)).OkAsync();
        var cancelled = await (await Http.PostAsync(againStatus, new { status = "cancelled", reason = "dropped" }, setup.Owner.AccessToken)).OkAsync();
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        await (await server.ClaimAsync(setup.A, again.Id())).ErrorAsync(ErrorCodes.Conflict);

        var log = (await (await Http.GetAsync($"/v1/tasks/{again.Id()}/events", setup.Owner.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["created", "claimed", "status_changed", "status_changed", "claimed", "status_changed", "status_changed", "status_changed"],
            log.Select(e => e.GetProperty("type").GetString()));
        var failed = log[2];
        Assert.Equal(("doing", "failed", "no access"), (failed.GetProperty("details").GetProperty("from").GetString(),
            failed.GetProperty("details").GetProperty("to").GetString(), failed.GetProperty("details").GetProperty("reason").GetString()));
        Assert.Equal(setup.A.Id, failed.GetProperty("actor").GetProperty("id").GetString());
        Assert.StartsWith("tev_", failed.Id(), StringComparison.Ordinal);
    }
}
