using System.Net;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

/// <summary>Schedules: cron in a time zone (Cronos), runs at each occurrence on the injected clock, skipped while running, no replay of missed ones.</summary>
public sealed class ScheduleTests(WakeServer server) : IClassFixture<WakeServer>
{
    private HttpClient Http => server.Http;

    private async Task<string> LoginAsync(Owner owner) =>
        (await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = owner.Password })).OkAsync()).GetProperty("access_token").GetString()!;

    private static string Path(Owner owner, TestAgent agent) => $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Handle}/schedules";

    [Fact]
    public async Task ASchedulesNextOccurrenceFollowsItsTimeZoneAndBadExpressionsAreRefused()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var paris = await (await Http.PostAsync(Path(owner, agent), new { cron = "0 9 * * *", timezone = "Europe/Paris" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        var next = paris.GetProperty("next_run_at").GetDateTimeOffset();
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var local = TimeZoneInfo.ConvertTime(next, zone);
        Assert.Equal((9, 0), (local.Hour, local.Minute));
        Assert.True(next > server.Clock.GetUtcNow() && next <= server.Clock.GetUtcNow().AddDays(1));
        Assert.StartsWith("sch_", paris.GetProperty("id").GetString());

        await (await Http.PostAsync(Path(owner, agent), new { cron = "every morning", timezone = "UTC" }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync(Path(owner, agent), new { cron = "0 9 * * *", timezone = "Mars/Olympus" }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync(Path(owner, agent), new { cron = "0 9 * * *" }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        var stranger = await server.SignupAsync();
        await (await Http.PostAsync($"/v1/workspaces/{stranger.WorkspaceId}/agents/{agent.Handle}/schedules", new { cron = "0 9 * * *", timezone = "UTC" },
            stranger.AccessToken)).ErrorAsync(ErrorCodes.AgentNotFound);
        Assert.Single((await (await Http.GetAsync(Path(owner, agent), owner.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task EachOccurrenceStartsARunOrASkippedOneWhileRunningAndMissedOnesAreNotReplayed()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var created = await (await Http.PostAsync(Path(owner, agent), new { cron = "*/5 * * * *", timezone = "UTC", input = new { report = "daily" } },
            owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        var next = created.GetProperty("next_run_at").GetDateTimeOffset();
        Assert.Equal(0, next.Minute % 5);
        Assert.Equal((0, 0), (next.Second, next.Millisecond));

        server.Clock.Advance(next - server.Clock.GetUtcNow() - TimeSpan.FromMilliseconds(1));
        await (await Http.PostAsync("/_test/jobs/schedules", null)).OkAsync();
        var token = await LoginAsync(owner);
        async Task<List<JsonElement>> RunsAsync() =>
            [.. (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/runs?agent={agent.Handle}", token)).OkAsync()).GetProperty("data").EnumerateArray()];
        Assert.Empty(await RunsAsync());

        server.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await (await Http.PostAsync("/_test/jobs/schedules", null)).OkAsync();
        var run = Assert.Single(await RunsAsync());
        Assert.Equal(("schedule", id, "daily"), (run.GetProperty("reason").GetString(), run.GetProperty("schedule_id").GetString(),
            run.GetProperty("input").GetProperty("report").GetString()));
        var schedule = await (await Http.GetAsync($"{Path(owner, agent)}/{id}", token)).OkAsync();
        Assert.Equal(next, schedule.GetProperty("last_run_at").GetDateTimeOffset());
        Assert.Equal(next.AddMinutes(5), schedule.GetProperty("next_run_at").GetDateTimeOffset());

        // The next occurrence finds the first run still queued: a skipped run says so.
        server.Clock.Advance(TimeSpan.FromMinutes(5));
        await (await Http.PostAsync("/_test/jobs/schedules", null)).OkAsync();
        token = await LoginAsync(owner);
        var runs = await RunsAsync();
        Assert.Equal(2, runs.Count);
        Assert.Equal(("skipped", "already_running"), (runs[0].GetProperty("status").GetString(), runs[0].GetProperty("failure_reason").GetString()));

        // An hour with no job (the server down): one occurrence fires, not twelve, and the next is after now.
        server.Clock.Advance(TimeSpan.FromHours(1));
        await (await Http.PostAsync("/_test/jobs/schedules", null)).OkAsync();
        token = await LoginAsync(owner);
        Assert.Equal(3, (await RunsAsync()).Count);
        var after = (await (await Http.GetAsync($"{Path(owner, agent)}/{id}", token)).OkAsync()).GetProperty("next_run_at").GetDateTimeOffset();
        Assert.True(after > server.Clock.GetUtcNow() && after <= server.Clock.GetUtcNow().AddMinutes(5));

        // Disabled, it fires no more; deleted, it is gone.
        var disabled = await (await Http.SendAsync(HttpMethod.Patch, $"{Path(owner, agent)}/{id}", new { enabled = false }, token)).OkAsync();
        Assert.Equal(JsonValueKind.Null, disabled.GetProperty("next_run_at").ValueKind);
        server.Clock.Advance(TimeSpan.FromMinutes(10));
        await (await Http.PostAsync("/_test/jobs/schedules", null)).OkAsync();
        token = await LoginAsync(owner);
        Assert.Equal(3, (await RunsAsync()).Count);
        await (await Http.SendAsync(HttpMethod.Delete, $"{Path(owner, agent)}/{id}", token: token)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync($"{Path(owner, agent)}/{id}", token)).ErrorAsync(ErrorCodes.NotFound);
    }
}
