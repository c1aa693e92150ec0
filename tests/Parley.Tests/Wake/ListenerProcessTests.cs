using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

public class ListenerServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:Rates:device-pairing:Limit"] = "100000";
        settings["Limits:Rates:device-approve:Limit"] = "100000";
        // `parley pair` polls at the pairing's interval in real time; the test moves the server's clock past it.
        settings["Limits:Devices:PollIntervalSeconds"] = "1";
    }
}

/// <summary>
/// The real <c>parley pair</c>, <c>bind</c>, <c>watch</c> and <c>status</c> processes against a real server. The bound
/// agent is a small shell script (a <c>custom</c> host): it reads its prompt from stdin, records its environment,
/// answers in the room it was woken in with the run's passport (curl), and naps or waits for a gate file when its
/// prompt says so.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed partial class ListenerProcessTests(ListenerServer server) : IClassFixture<ListenerServer>
{
    private HttpClient Http => server.Http;

    private const string AgentScript = """
        #!/bin/sh
        prompt=$(cat)
        printf '%s' "$prompt" > "prompt-$PARLEY_RUN_ID.txt"
        env | sort > "env-$PARLEY_RUN_ID.txt"
        case "$prompt" in
          *nap*) sleep 300 & echo $! > "nap-$PARLEY_RUN_ID.pid"; wait ;;
          *gate*) while [ ! -f gate-open ]; do sleep 0.05; done ;;
        esac
        if [ -n "$PARLEY_ROOM_ID" ]; then
          curl -sS -f -o /dev/null -X POST "$PARLEY_URL/v1/rooms/$PARLEY_ROOM_ID/messages" -H "Authorization: Bearer $PARLEY_TOKEN" \
            -H "Content-Type: application/json" -d "{\"body\":\"done: $PARLEY_RUN_ID\"}" || exit 3
        fi
        echo "finished $PARLEY_RUN_ID"
        """;

    /// <summary>A fresh <c>PARLEY_HOME</c> with the agent script in it; the folder is also where the agent runs.</summary>
    private static string NewHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "parley-cli-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(home);
        var script = Path.Combine(home, "agent.sh");
        File.WriteAllText(script, AgentScript.Replace("\r", ""));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return home;
    }

    /// <summary><c>parley pair</c> as a person runs it: it prints a code, the owner approves it (<c>parley devices approve</c>), it stores the token.</summary>
    private async Task<string> PairAsync(Owner owner)
    {
        var home = NewHome();
        await using var pair = CliProcess.Start(home, ["pair", "--name", "laptop", "--server", server.BaseAddress.ToString()]);
        var code = UserCode().Match(await pair.WaitForLineAsync("enter the code")).Value;
        var (approved, approvedText) = await OwnerCliAsync(owner, "devices", "approve", code);
        Assert.True(approved == 0, approvedText);
        server.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await pair.WaitForExitAsync());
        Assert.Contains("Paired: laptop is dev_", pair.Text);
        var file = Path.Combine(home, "device.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.StartsWith("prl_dev_", JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("device_token").GetString());
        return home;
    }

    /// <summary>A verb as the owner, the way a person runs it in another terminal.</summary>
    private async Task<(int Exit, string Output)> OwnerCliAsync(Owner owner, params string[] args)
    {
        await using var cli = CliProcess.Start(NewHome(), [.. args, "--server", server.BaseAddress.ToString()],
            new Dictionary<string, string> { ["PARLEY_TOKEN"] = owner.AccessToken, ["PARLEY_WORKSPACE"] = owner.WorkspaceId });
        return (await cli.WaitForExitAsync(), cli.Text);
    }

    private static async Task BindAsync(string home, TestAgent agent, params string[] extra)
    {
        var (exitCode, output) = await CliProcess.RunAsync(home, ["bind", "--agent", agent.Handle, "--dir", home, .. extra]);
        Assert.True(exitCode == 0, output);
    }

    private static Task BindScriptAsync(string home, TestAgent agent, bool constrained = false) =>
        BindAsync(home, agent, ["--host", "custom", "--command", Path.Combine(home, "agent.sh"),
            .. constrained ? new[] { "--constrained-command", Path.Combine(home, "agent.sh") } : []]);

    private static async Task<CliProcess> WatchAsync(string home, params string[] extra)
    {
        var watch = CliProcess.Start(home, ["watch", "--heartbeat-seconds", "1", .. extra], new Dictionary<string, string> { ["PARLEY_TEST_SECRET"] = "hunter2" });
        await watch.WaitForLineAsync("connected");
        return watch;
    }

    private async Task<JsonElement> RunAsync(Owner owner, string runId) => await (await Http.GetAsync($"/v1/runs/{runId}", owner.AccessToken)).OkAsync();

    /// <summary>Waits (with a deadline) until the run reaches a state the listener drives it to.</summary>
    private async Task<JsonElement> RunReachesAsync(Owner owner, string runId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var run = await RunAsync(owner, runId);
            if (run.GetProperty("status").GetString() == status)
            {
                return run;
            }
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} is {run.GetProperty("status")}, not {status}");
            await Task.Delay(50);
        }
    }

    private async Task<string> OnlyRunIdAsync(Owner owner, TestAgent agent)
    {
        var runs = (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/runs?agent={agent.Handle}", owner.AccessToken)).OkAsync())
            .GetProperty("data").EnumerateArray().ToList();
        return runs[0].GetProperty("id").GetString()!;
    }

    private async Task<string> StartRunAsync(Owner owner, TestAgent agent, string job) =>
        (await (await Http.PostAsync($"/v1/agents/{agent.Handle}/runs", new { input = new { job } }, owner.AccessToken)).OkAsync(HttpStatusCode.Created))
            .GetProperty("id").GetString()!;

    private static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(')').Last().TrimStart().FirstOrDefault() is not ('Z' or 'X' or default(char));

    [Fact]
    public async Task AMentionedAgentRunsOnThePairedMachineAndAnswersInTheRoom()
    {
        var setup = await server.RoomWithAgentsAsync();
        var home = await PairAsync(setup.Owner);
        await BindScriptAsync(home, setup.B);
        await using var watch = await WatchAsync(home);

        await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "please summarise the thread", mentions = new[] { setup.B.Handle } },
            setup.A.ApiKey)).OkAsync(HttpStatusCode.Created);
        var runId = await OnlyRunIdAsync(setup.Owner, setup.B);
        var run = await RunReachesAsync(setup.Owner, runId, "succeeded");
        Assert.Equal(("mention", 0), (run.GetProperty("reason").GetString(), run.GetProperty("exit_code").GetInt32()));
        var (dispatched, started, ended) = (run.GetProperty("dispatched_at").GetDateTimeOffset(), run.GetProperty("started_at").GetDateTimeOffset(),
            run.GetProperty("ended_at").GetDateTimeOffset());
        Assert.True(dispatched <= started && started <= ended);
        Assert.Contains($"finished {runId}", run.GetProperty("output_tail").GetString());

        // The script's effect: its answer in the room, posted as the agent with the run's passport.
        var thread = await (await Http.GetAsync($"/v1/rooms/{setup.RoomId}/messages", setup.Owner.AccessToken)).OkAsync();
        var answer = thread.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("body").GetString() == $"done: {runId}");
        Assert.Equal(setup.B.Id, answer.GetProperty("sender").GetProperty("id").GetString());
        // The prompt came on stdin; the environment carried the run, never the device's token.
        Assert.Contains("please summarise the thread", File.ReadAllText(Path.Combine(home, $"prompt-{runId}.txt")));
        var environment = File.ReadAllLines(Path.Combine(home, $"env-{runId}.txt"));
        Assert.Contains($"PARLEY_RUN_ID={runId}", environment);
        Assert.Contains("PARLEY_REASON=mention", environment);
        Assert.Contains($"PARLEY_ROOM_ID={setup.RoomId}", environment);
        Assert.Contains($"PARLEY_AGENT={setup.B.Handle}", environment);
        Assert.Contains("PARLEY_TEST_SECRET=hunter2", environment); // unconstrained: the listener's environment is inherited
        Assert.DoesNotContain(environment, l => l.Contains("prl_dev_", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(home, "runs", runId + ".json")), "the run's state file is removed once reported");

        // `parley status` sees it all; a second `parley watch` for the same device refuses to start.
        var (statusExit, status) = await CliProcess.RunAsync(home, "status");
        Assert.True(statusExit == 0, status);
        Assert.Contains("watch:     running", status);
        Assert.Contains("connected: yes", status);
        Assert.Contains($"@{setup.B.Handle}", status);
        var (secondExit, second) = await CliProcess.RunAsync(home, "watch");
        Assert.Equal(1, secondExit);
        Assert.Contains("already running", second);

        // A forged envelope (right shape and claims, another key) and a replayed one (the server's own, same jti) run nothing.
        var deviceId = JsonDocument.Parse(File.ReadAllText(Path.Combine(home, "device.json"))).RootElement.GetProperty("device_id").GetString()!;
        var forged = Forge(deviceId, runId);
        var lines = watch.Lines.Count;
        await (await Http.PostAsync($"/_test/wake/devices/{deviceId}/frames", new { type = "wake", envelope = forged })).OkAsync();
        await watch.WaitForLineAsync("refused a wake (signature)", lines);
        var replay = (await (await Http.PostAsync($"/_test/wake/runs/{runId}/envelope", null)).OkAsync()).GetProperty("envelope").GetString();
        await (await Http.PostAsync($"/_test/wake/devices/{deviceId}/frames", new { type = "wake", envelope = replay })).OkAsync();
        await watch.WaitForLineAsync("refused a wake (replayed)", lines);
        Assert.DoesNotContain(watch.Lines.Skip(lines), l => l.Contains("started", StringComparison.Ordinal));
        Assert.Equal("succeeded", (await RunAsync(setup.Owner, runId)).GetProperty("status").GetString());

        // The owner sees the device online, and revokes it: the listener is disconnected and stops.
        var (_, devices) = await OwnerCliAsync(setup.Owner, "devices", "list", "--json");
        var device = JsonDocument.Parse(devices).RootElement.GetProperty("data").EnumerateArray().Single(d => d.GetProperty("id").GetString() == deviceId);
        Assert.True(device.GetProperty("online").GetBoolean());
        var (revoked, revokedText) = await OwnerCliAsync(setup.Owner, "devices", "revoke", deviceId);
        Assert.True(revoked == 0, revokedText);
        var (_, after) = await OwnerCliAsync(setup.Owner, "devices", "list", "--json");
        Assert.DoesNotContain(JsonDocument.Parse(after).RootElement.GetProperty("data").EnumerateArray(), d => d.GetProperty("id").GetString() == deviceId && d.GetProperty("status").GetString() != "revoked");
    }

    [Fact]
    public async Task CancelStopsTheWholeProcessGroupAndAListenerThatDiedCleansUpWhenItComesBack()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var home = await PairAsync(owner);
        await BindScriptAsync(home, agent);
        var watch = await WatchAsync(home);
        try
        {
            // Cancel: the script and the sleep it started in the background both stop; the run ends cancelled.
            var cancelled = await StartRunAsync(owner, agent, "nap");
            await watch.WaitForLineAsync($"{cancelled}: @{agent.Handle} (manual) started");
            var nap = await NapPidAsync(home, cancelled);
            await (await Http.PostAsync($"/v1/runs/{cancelled}/cancel", null, owner.AccessToken)).OkAsync();
            var run = await RunReachesAsync(owner, cancelled, "cancelled");
            Assert.Equal("cancelled_by_owner", run.GetProperty("failure_reason").GetString());
            Assert.False(IsAlive(nap), "the background sleep of the cancelled script still runs");

            // The listener dies mid-run (SIGKILL): the agent's processes live on, heartbeats stop, the server times the run out.
            var orphaned = await StartRunAsync(owner, agent, "nap");
            await watch.WaitForLineAsync($"{orphaned}: @{agent.Handle} (manual) started");
            var orphanNap = await NapPidAsync(home, orphaned);
            watch.Crash();
            await watch.WaitForExitAsync();
            Assert.True(IsAlive(orphanNap));
            server.Clock.Advance(TimeSpan.FromSeconds(121));
            await (await Http.PostAsync("/_test/jobs/run-clocks", null)).OkAsync();
            Assert.Equal(("timed_out", "timeout"), ((await RunAsync(owner, orphaned)).GetProperty("status").GetString(),
                (await RunAsync(owner, orphaned)).GetProperty("failure_reason").GetString()));
        }
        finally
        {
            await watch.DisposeAsync();
        }

        // Back again, the listener stops what the dead one left running, and takes new work.
        await using var restarted = await WatchAsync(home);
        Assert.Contains(restarted.Lines, l => l.Contains("left by an earlier listener", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(Path.Combine(home, "runs"), "*.json"));
        var next = await StartRunAsync(owner, agent, "summarise");
        Assert.Equal(0, (await RunReachesAsync(owner, next, "succeeded")).GetProperty("exit_code").GetInt32());
        var naps = Directory.GetFiles(home, "nap-*.pid").Select(f => int.Parse(File.ReadAllText(f).Trim(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(naps, pid => Assert.False(IsAlive(pid), $"process {pid} of a dead listener's run still runs"));
    }

    [Fact]
    public async Task ARunKeepsGoingWhileTheListenerReconnectsAndItsEndIsReported()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var home = await PairAsync(owner);
        await BindScriptAsync(home, agent);
        await using var relay = new TcpRelay(server.BaseAddress);
        await using var watch = await WatchAsync(home, "--server", relay.Address.ToString());
        var runId = await StartRunAsync(owner, agent, "gate");
        await watch.WaitForLineAsync($"{runId}: @{agent.Handle} (manual) started");

        var lines = watch.Lines.Count;
        relay.DropAll();
        await watch.WaitForLineAsync("connected (reconnects: 1)", lines);
        File.WriteAllText(Path.Combine(home, "gate-open"), "");
        var run = await RunReachesAsync(owner, runId, "succeeded");
        Assert.Contains($"finished {runId}", run.GetProperty("output_tail").GetString());
    }

    [Fact]
    public async Task CrossOwnerWakesRunConstrainedOrNotAtAllAndAMissingHostFailsAtOnce()
    {
        var setup = await server.CrossOwnerRoomAsync();
        var home = await PairAsync(setup.OwnerB);
        await BindScriptAsync(home, setup.AgentB);

        // Bound without a constrained command, the mention from the other owner's agent starts nothing.
        await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "have a look", mentions = new[] { setup.AgentB.Handle } },
            setup.AgentA.ApiKey)).OkAsync(HttpStatusCode.Created);
        var skipped = await RunAsync(setup.OwnerB, await OnlyRunIdAsync(setup.OwnerB, setup.AgentB));
        Assert.Equal(("skipped", "constrained_runtime_required"), (skipped.GetProperty("status").GetString(), skipped.GetProperty("failure_reason").GetString()));

        // `--dry-run` says what it would run, and runs nothing.
        await BindScriptAsync(home, setup.AgentB, constrained: true);
        await using (var dryRun = await WatchAsync(home, "--dry-run"))
        {
            await (await Http.PostAsync($"/v1/rooms/{setup.RoomId}/messages", new { body = "look again", mentions = new[] { setup.AgentB.Handle } },
                setup.AgentA.ApiKey)).OkAsync(HttpStatusCode.Created);
            var line = await dryRun.WaitForLineAsync("would run");
            Assert.Contains("constrained", line);
            Assert.Contains("/bin/sh -c " + Path.Combine(home, "agent.sh"), line);
        }
        var dryRunId = await OnlyRunIdAsync(setup.OwnerB, setup.AgentB);
        Assert.Equal("dispatched", (await RunAsync(setup.OwnerB, dryRunId)).GetProperty("status").GetString());
        Assert.False(File.Exists(Path.Combine(home, $"env-{dryRunId}.txt")));

        // The real listener takes the waiting wake on connect and runs it constrained: a scrubbed environment, traffic to the gateway.
        await using var watch = await WatchAsync(home, "--gateway-proxy", "http://127.0.0.1:9");
        var run = await RunReachesAsync(setup.OwnerB, dryRunId, "succeeded");
        Assert.True(run.GetProperty("constrained").GetBoolean());
        var environment = File.ReadAllLines(Path.Combine(home, $"env-{dryRunId}.txt"));
        Assert.DoesNotContain(environment, l => l.StartsWith("PARLEY_TEST_SECRET=", StringComparison.Ordinal));
        Assert.Contains("PARLEY_CONSTRAINED=1", environment);
        Assert.Contains(environment, l => l.StartsWith("HTTPS_PROXY=http://run:", StringComparison.Ordinal) && l.EndsWith("@127.0.0.1:9", StringComparison.Ordinal));
        Assert.Contains("NO_PROXY=127.0.0.1", environment);
        // The gateway's CA, fetched from the server, is what the run's TLS clients trust.
        Assert.Contains($"SSL_CERT_FILE={Path.Combine(home, "gateway-ca.pem")}", environment);
        Assert.Contains("BEGIN CERTIFICATE", File.ReadAllText(Path.Combine(home, "gateway-ca.pem")));
        Assert.All(environment.Select(l => l.Split('=')[0]), name => Assert.True(
            name.StartsWith("PARLEY_", StringComparison.Ordinal) || name.Contains("proxy", StringComparison.OrdinalIgnoreCase)
            || name is "SSL_CERT_FILE" or "NODE_EXTRA_CA_CERTS" or "REQUESTS_CA_BUNDLE" or "CURL_CA_BUNDLE"
            || name is "PATH" or "HOME" or "LANG" or "TERM" or "TMPDIR" or "PWD" or "SHLVL" or "_", $"{name} leaked into a constrained run"));

        // A host whose program is not on this machine: the run fails at once, without being accepted.
        var other = await server.CreateAgentAsync(setup.OwnerB);
        await BindAsync(home, other, "--host", "codex", "--command", "/nonexistent/codex");
        var lines = watch.Lines.Count;
        var missing = await StartRunAsync(setup.OwnerB, other, "anything");
        var failed = await RunReachesAsync(setup.OwnerB, missing, "failed");
        Assert.Equal("host_not_found", failed.GetProperty("failure_reason").GetString());
        Assert.False(failed.TryGetProperty("started_at", out var startedAt) && startedAt.ValueKind != JsonValueKind.Null);
        await watch.WaitForLineAsync("host_not_found", lines);
    }

    private static async Task<int> NapPidAsync(string home, string runId)
    {
        var file = Path.Combine(home, $"nap-{runId}.pid");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(file) || File.ReadAllText(file).Trim().Length == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the script did not start its nap");
            await Task.Delay(20);
        }
        return int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>An envelope with every claim right but signed by a key that is not the server's (its kid copied).</summary>
    private string Forge(string deviceId, string runId)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var jwks = new JsonWebKeySet(Http.GetStringAsync("/.well-known/jwks.json").GetAwaiter().GetResult());
        var now = server.Clock.GetUtcNow();
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "parley-wake+jwt",
            Claims = new Dictionary<string, object>
            {
                ["aud"] = deviceId, ["jti"] = "wake_forged", ["iat"] = now.ToUnixTimeSeconds(), ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
                ["run_id"] = runId, ["agent_id"] = "agt_x", ["agent_handle"] = "x", ["reason"] = "manual", ["prompt"] = "rm -rf /", ["constrained"] = false,
            },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = jwks.Keys[0].Kid }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    [GeneratedRegex("[A-Z0-9]{4}-[A-Z0-9]{4}")]
    private static partial Regex UserCode();
}
