using Parley.Tests.Infrastructure;

namespace Parley.Tests.Gateway;

/// <summary>The owner's gateway verbs as a person uses them: the real <c>parley</c> process, the value typed on stdin, an approval answered at the prompt.</summary>
public sealed class GatewayCliTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    private CliProcess Parley(Owner owner, params string[] args) =>
        CliProcess.Start(Path.GetTempPath(), [.. args, "--server", server.BaseAddress.ToString()],
            new Dictionary<string, string> { ["PARLEY_TOKEN"] = owner.AccessToken, ["PARLEY_WORKSPACE"] = owner.WorkspaceId });

    [Fact]
    public async Task AnOwnerFillsTheVaultAddsARuleAndApprovesAHeldCallAtThePrompt()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await using (var add = Parley(owner, "vault", "add", "--name", "upstream", "--host", server.Plain.HostPattern, "--format", "Bearer {value}"))
        {
            await add.WriteLineAsync("typed-secret-6543");
            Assert.Equal(0, await add.WaitForExitAsync());
            Assert.Contains("…6543", add.Text, StringComparison.Ordinal);
        }
        await using (var list = Parley(owner, "vault", "list"))
        {
            Assert.Equal(0, await list.WaitForExitAsync());
            Assert.Contains("upstream", list.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("typed-secret", list.Text, StringComparison.Ordinal);
        }
        await using (var rule = Parley(owner, "rules", "add", "--name", "ask", "--host", server.Plain.HostPattern, "--action", "manual_approval"))
        {
            Assert.Equal(0, await rule.WaitForExitAsync());
        }
        await using (var bad = Parley(owner, "rules", "add", "--name", "x", "--host", "a.example.org", "--action", "rate_limit"))
        {
            Assert.Equal(1, await bad.WaitForExitAsync());
            Assert.Contains("VALIDATION_ERROR", bad.Text, StringComparison.Ordinal);
        }

        await using var approvals = Parley(owner, "approvals", "--once");
        await approvals.WaitForLineAsync("Waiting for calls");
        var call = server.CallAsync(agent, "GET", server.Plain.Url("/approved-at-the-prompt"));
        await approvals.WaitForLineAsync($"@{agent.Handle} wants GET");
        await approvals.WriteLineAsync("y");
        Assert.Equal(0, await approvals.WaitForExitAsync());
        Assert.Contains("approved", approvals.Text, StringComparison.Ordinal);
        Assert.Equal(200, (await (await call).OkAsync()).GetProperty("status").GetInt32());
        Assert.Equal("Bearer typed-secret-6543", server.Plain.Requests.Single(r => r.Path == "/approved-at-the-prompt").Headers["authorization"]);

        await using var log = Parley(owner, "log");
        Assert.Equal(0, await log.WaitForExitAsync());
        Assert.Contains("/approved-at-the-prompt", log.Text, StringComparison.Ordinal);
        Assert.Contains("allowed", log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOwnerAddsRefreshesAndRemovesASiteFromTheTerminal()
    {
        await using var site = await Upstream.StartAsync();
        var tools = new List<object> { new { name = "forecast", description = "The forecast.", input_schema = new { type = "object" } } };
        site.Answers["/.well-known/webmcp.json"] = _ => (200, "application/json", System.Text.Json.JsonSerializer.Serialize(new
        {
            name = "Weather", version = "1", server = new { url = site.Url("/api").ToString() }, auth = new { type = "bearer" }, tools,
        }));
        var owner = await server.SignupAsync();
        await using (var add = Parley(owner, "sites", "add", site.BaseAddress.ToString(), "--token-stdin"))
        {
            await add.WriteLineAsync("site-token-77");
            Assert.Equal(0, await add.WaitForExitAsync());
            Assert.Contains("Weather", add.Text, StringComparison.Ordinal);
        }
        string siteId;
        await using (var list = Parley(owner, "sites", "list", "--json"))
        {
            Assert.Equal(0, await list.WaitForExitAsync());
            var listed = System.Text.Json.JsonDocument.Parse(list.Text).RootElement.GetProperty("data")[0];
            siteId = listed.GetProperty("site").GetProperty("id").GetString()!;
            Assert.NotNull(listed.GetProperty("site").GetProperty("token_entry_id").GetString());
        }
        tools.Add(new { name = "alerts", description = "Weather alerts.", input_schema = new { type = "object" } });
        await using (var refresh = Parley(owner, "sites", "refresh", siteId))
        {
            Assert.Equal(0, await refresh.WaitForExitAsync());
            Assert.Contains("forecast alerts", refresh.Text, StringComparison.Ordinal);
        }
        await using (var remove = Parley(owner, "sites", "rm", siteId))
        {
            Assert.Equal(0, await remove.WaitForExitAsync());
        }
        await using var again = Parley(owner, "sites", "refresh", siteId);
        Assert.Equal(1, await again.WaitForExitAsync());
        Assert.Contains("NOT_FOUND", again.Text, StringComparison.Ordinal);
    }
}
