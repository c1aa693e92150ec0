using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Governance;

/// <summary>A server of its own: these tests move its clock to the end of the month.</summary>
public sealed class PeriodBoundaryServer : GovernanceServer;

/// <summary>The period boundary on the injected clock: a month ends at 00:00 UTC on the first of the next.</summary>
public sealed class PeriodBoundaryTests(PeriodBoundaryServer server) : IClassFixture<PeriodBoundaryServer>
{
    private HttpClient Http => server.Http;

    private async Task<string> LoginAsync(Owner owner) =>
        (await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = owner.Password })).OkAsync())
            .GetProperty("access_token").GetString()!;

    private async Task PutPlanAsync(string workspaceId, string plan) =>
        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{workspaceId}/plan", new { plan }, await server.AdminTokenAsync())).OkAsync();

    private async Task<JsonElement> GetAsync(Owner owner, string path) =>
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/{path}", await LoginAsync(owner))).OkAsync();

    [Fact]
    public async Task TheLastMillisecondOfAMonthAndTheFirstOfTheNextFallInDifferentPeriodsAndMonthlyCreditsExpireBetween()
    {
        var metered = await server.SignupAsync();
        await PutPlanAsync(metered.WorkspaceId, "metered");
        var credited = await server.SignupAsync();
        await PutPlanAsync(credited.WorkspaceId, "credited");
        await (await Http.PostAsync("/_test/governance/spend", new { workspace_id = credited.WorkspaceId })).OkAsync();

        var now = server.Clock.GetUtcNow();
        var nextMonth = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        server.Clock.Advance(nextMonth.AddMilliseconds(-1) - now);
        var last = server.Clock.GetUtcNow();
        Assert.Equal((23, 59, 59, 999), (last.Hour, last.Minute, last.Second, last.Millisecond));
        Assert.Equal(DateTime.DaysInMonth(now.Year, now.Month), last.Day);

        await (await Http.PostAsync("/_test/governance/admit", new { workspace_id = metered.WorkspaceId, meter = "governed_calls" })).OkAsync();
        var december = await GetAsync(metered, "usage");
        Assert.Equal(nextMonth.AddMonths(-1), december.GetProperty("period_start").GetDateTimeOffset());
        Assert.Equal(nextMonth, december.GetProperty("resets_at").GetDateTimeOffset());
        Assert.Equal(9m, (await GetAsync(credited, "credits")).GetProperty("balance").GetDecimal());
        // The monthly job runs now (nothing to do yet), so it is not due again a millisecond later: the expiry below is
        // the balance's own reading, not the job's work, whenever the scheduler's wall-clock tick falls.
        await (await Http.PostAsync("/_test/jobs/monthly-credits", null)).OkAsync();
        Assert.Equal(9m, (await GetAsync(credited, "credits")).GetProperty("balance").GetDecimal());

        server.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await (await Http.PostAsync("/_test/governance/admit", new { workspace_id = metered.WorkspaceId, meter = "governed_calls" })).OkAsync();
        var january = await GetAsync(metered, "usage");
        Assert.Equal(nextMonth, january.GetProperty("period_start").GetDateTimeOffset());
        Assert.Equal(nextMonth.AddMonths(1), january.GetProperty("resets_at").GetDateTimeOffset());
        var calls = january.GetProperty("meters").EnumerateArray().Single(m => m.GetProperty("meter").GetString() == "governed_calls");
        Assert.Equal(1, calls.GetProperty("count").GetInt64());
        var daily = (await GetAsync(metered, "usage/daily?meter=governed_calls&days=2")).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([(nextMonth.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), 1L), (nextMonth.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), 1L)],
            daily.Select(d => (d.GetProperty("date").GetString(), d.GetProperty("count").GetInt64())));

        // The month's credits expired at the boundary; the monthly job writes them off and credits the new month's.
        Assert.Equal(0m, (await GetAsync(credited, "credits")).GetProperty("balance").GetDecimal());
        await (await Http.PostAsync("/_test/jobs/monthly-credits", null)).OkAsync();
        var balance = await GetAsync(credited, "credits");
        Assert.Equal(10m, balance.GetProperty("balance").GetDecimal());
        Assert.Equal(nextMonth.AddMonths(1), balance.GetProperty("by_source")[0].GetProperty("expires_at").GetDateTimeOffset());
        var ledger = (await GetAsync(credited, "credits/ledger")).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["monthly", "adjustment", "usage", "monthly"], ledger.Select(e => e.GetProperty("source").GetString()));
        Assert.Equal(-9m, ledger[1].GetProperty("delta").GetDecimal());
        Assert.Equal("expired", ledger[1].GetProperty("reason").GetString());
        Assert.Equal(10m, ledger.Sum(e => e.GetProperty("delta").GetDecimal()));
        Assert.Equal(10m, ledger[0].GetProperty("balance_after").GetDecimal());
    }
}
