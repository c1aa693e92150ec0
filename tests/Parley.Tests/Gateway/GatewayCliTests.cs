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
}
