using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Parley.Cli.Devices;
using Parley.Client.Wake;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

/// <summary>
/// The listener's own rules, in-process: how it checks wake envelopes (the SDK's verifier, with keys made here), and
/// the command lines and environments it builds for each host (Claude Code and Codex are not on this machine, so their
/// command lines are checked here rather than run).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ListenerUnitTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ManualClock _clock = new();
    private int _fetches;

    public void Dispose() => _key.Dispose();

    private string Jwks(params ECDsa[] keys) => JsonSerializer.Serialize(new
    {
        keys = keys.Select((k, i) =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(k) { KeyId = "k" + i });
            return new { kty = jwk.Kty, crv = jwk.Crv, x = jwk.X, y = jwk.Y, kid = jwk.Kid, use = "sig", alg = "ES256" };
        }),
    });

    private WakeEnvelopeVerifier Verifier(Func<string> jwks) => new(_ =>
    {
        _fetches++;
        return Task.FromResult(jwks());
    }, "dev_1", _clock);

    private string Envelope(ECDsa key, string kid = "k0", string aud = "dev_1", string jti = "wake_1", string type = "parley-wake+jwt", TimeSpan? age = null)
    {
        var issued = _clock.GetUtcNow() - (age ?? TimeSpan.Zero);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            TokenType = type,
            Claims = new Dictionary<string, object>
            {
                ["aud"] = aud, ["jti"] = jti, ["iat"] = issued.ToUnixTimeSeconds(), ["exp"] = issued.AddSeconds(300).ToUnixTimeSeconds(),
                ["run_id"] = "run_1", ["agent_id"] = "agt_1", ["agent_handle"] = "helper", ["reason"] = "mention", ["room_id"] = "room_1",
                ["cross_owner"] = true, ["constrained"] = true, ["prompt"] = "hello",
            },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    private static async Task<string> RefusedAsync(WakeEnvelopeVerifier verifier, string envelope) =>
        (await Assert.ThrowsAsync<WakeRejectedException>(() => verifier.VerifyAsync(envelope))).Reason;

    [Fact]
    public async Task AnEnvelopeIsTakenOnlyWhenSignedByTheServerForThisDeviceInTimeAndOnce()
    {
        using var verifier = Verifier(() => Jwks(_key));
        var wake = await verifier.VerifyAsync(Envelope(_key));
        Assert.Equal(("wake_1", "run_1", "agt_1", "helper", "mention", "room_1"), (wake.WakeId, wake.RunId, wake.AgentId, wake.AgentHandle, wake.Reason, wake.RoomId));
        Assert.True(wake.Constrained && wake.CrossOwner);
        Assert.Equal("hello", wake.Prompt);

        Assert.Equal("replayed", await RefusedAsync(verifier, Envelope(_key)));
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Equal("signature", await RefusedAsync(verifier, Envelope(stranger, jti: "wake_2")));
        Assert.Equal("audience", await RefusedAsync(verifier, Envelope(_key, aud: "dev_2", jti: "wake_3")));
        Assert.Equal("type", await RefusedAsync(verifier, Envelope(_key, type: "JWT", jti: "wake_4")));
        Assert.Equal("malformed", await RefusedAsync(verifier, "not.a-jws"));
        // exp is iat + 300 s; 300 s of skew more are allowed, not one second beyond.
        await verifier.VerifyAsync(Envelope(_key, jti: "wake_5", age: TimeSpan.FromSeconds(599)));
        Assert.Equal("expired", await RefusedAsync(verifier, Envelope(_key, jti: "wake_6", age: TimeSpan.FromSeconds(601))));
        // The server's clock counts, as hello.ok reported it: an envelope fresh on the server is fresh here too.
        verifier.ServerOffset = TimeSpan.FromHours(-2);
        Assert.Equal("expired", await RefusedAsync(verifier, Envelope(_key, jti: "wake_7")));
        verifier.ServerOffset = TimeSpan.Zero;
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task AKeyTheListenerDoesNotKnowMakesItFetchTheKeysAgainAtMostOnceAMinute()
    {
        using var rotated = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var published = Jwks(_key);
        using var verifier = Verifier(() => published);
        await verifier.VerifyAsync(Envelope(_key));
        published = Jwks(_key, rotated);
        // Too soon after the last fetch: the unknown key is not looked up again.
        Assert.Equal("signature", await RefusedAsync(verifier, Envelope(rotated, kid: "k1", jti: "wake_2")));
        _clock.Advance(TimeSpan.FromMinutes(2));
        await verifier.VerifyAsync(Envelope(rotated, kid: "k1", jti: "wake_3"));
        Assert.Equal(2, _fetches);
    }

    private static string FakeProgramFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "parley-hosts-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        foreach (var name in new[] { "claude", "codex" })
        {
            File.WriteAllText(Path.Combine(folder, name), "#!/bin/sh\n");
            File.SetUnixFileMode(Path.Combine(folder, name), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return folder;
    }

    private static RunContext Context(bool constrained, string? ca = null) => new(
        new WakeEnvelope("wake_1", "run_1", "agt_1", "helper", "task_assigned", "room_1", null, "task_1", null, constrained, constrained,
            "do the thing; rm -rf /", DateTimeOffset.UtcNow.AddMinutes(5)),
        "https://parley.example.com", "pass/port+1", "/tmp/run_1.token", new Uri("http://gateway.example.com:8081"), ca);

    [Fact]
    public void TheCodingCliHostsGetTheirNormalOrRestrictiveCommandLinesAndThePromptNeverInArgv()
    {
        var folder = FakeProgramFolder();
        var parent = new Dictionary<string, string> { ["PATH"] = folder, ["HOME"] = "/home/me", ["AWS_SECRET_ACCESS_KEY"] = "s3cr3t", ["LANG"] = "C.UTF-8" };
        var claude = new LocalBinding("agt_1", "helper", "claude_code", "/work");
        Assert.Equal(["-p"], HostCommand.Build(claude, Context(false), parent).Child!.Arguments);
        var constrainedClaude = HostCommand.Build(claude, Context(true), parent).Child!;
        Assert.Equal(Path.Combine(folder, "claude"), constrainedClaude.FileName);
        Assert.Equal(["-p", "--permission-mode", "dontAsk", "--allowedTools", "Read,Glob,Grep"], constrainedClaude.Arguments);
        Assert.Equal(["-p", "--permission-mode", "dontAsk", "--allowedTools", "Read,Edit"],
            HostCommand.Build(claude with { AllowedTools = "Read,Edit" }, Context(true), parent).Child!.Arguments);
        var codex = new LocalBinding("agt_1", "helper", "codex", "/work");
        Assert.Equal(["exec", "-"], HostCommand.Build(codex, Context(false), parent).Child!.Arguments);
        Assert.Equal(["exec", "--sandbox", "read-only", "-"], HostCommand.Build(codex, Context(true), parent).Child!.Arguments);
        Assert.Equal("/work", HostCommand.Build(codex, Context(true), parent).Child!.WorkingDirectory);
        foreach (var spec in new[] { constrainedClaude, HostCommand.Build(codex, Context(false), parent).Child! })
        {
            Assert.DoesNotContain(spec.Arguments, a => a.Contains("rm -rf", StringComparison.Ordinal));
            Assert.DoesNotContain("pass/port", spec.Display, StringComparison.Ordinal);
        }
        // Not installed (or not where the binding says): host_not_found, before anything runs.
        Assert.Equal("host_not_found", HostCommand.Build(claude, Context(false), new Dictionary<string, string> { ["PATH"] = "/nowhere" }).FailureReason);
        Assert.Equal("host_not_found", HostCommand.Build(codex with { Command = "/opt/codex" }, Context(false), parent).FailureReason);
    }

    [Fact]
    public void AConstrainedRunGetsAScrubbedEnvironmentPointedAtTheGatewayAndACustomHostNeedsItsConstrainedCommand()
    {
        var folder = FakeProgramFolder();
        var parent = new Dictionary<string, string>
        {
            ["PATH"] = folder + ":/usr/bin:/bin", ["HOME"] = "/home/me", ["TERM"] = "xterm", ["AWS_SECRET_ACCESS_KEY"] = "s3cr3t", ["GITHUB_TOKEN"] = "ghp_x",
            ["HTTPS_PROXY"] = "http://corp-proxy:3128",
        };
        var custom = new LocalBinding("agt_1", "helper", "custom", "/work", "echo normal", "echo constrained");
        var open = HostCommand.Build(custom, Context(false), parent).Child!;
        Assert.Equal(("/bin/sh", "echo normal"), (open.FileName, open.Arguments[1]));
        Assert.Equal("s3cr3t", open.Environment["AWS_SECRET_ACCESS_KEY"]);
        Assert.Equal("http://corp-proxy:3128", open.Environment["HTTPS_PROXY"]);

        var closed = HostCommand.Build(custom, Context(true, ca: "/home/me/.config/parley/gateway-ca.pem"), parent).Child!;
        Assert.Equal("echo constrained", closed.Arguments[1]);
        Assert.Equal(
            ["ALL_PROXY", "CURL_CA_BUNDLE", "HOME", "HTTPS_PROXY", "HTTP_PROXY", "NODE_EXTRA_CA_CERTS", "NO_PROXY", "PARLEY_AGENT", "PARLEY_AGENT_ID",
             "PARLEY_CONSTRAINED", "PARLEY_REASON", "PARLEY_ROOM_ID", "PARLEY_RUN_ID", "PARLEY_TASK_ID", "PARLEY_TOKEN", "PARLEY_TOKEN_FILE", "PARLEY_URL", "PATH",
             "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "TERM", "all_proxy", "http_proxy", "https_proxy", "no_proxy"],
            closed.Environment.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("http://run:pass%2Fport%2B1@gateway.example.com:8081", closed.Environment["HTTPS_PROXY"]);
        Assert.Equal("parley.example.com", closed.Environment["NO_PROXY"]);
        Assert.Equal("/home/me/.config/parley/gateway-ca.pem", closed.Environment["SSL_CERT_FILE"]);
        Assert.Equal(("pass/port+1", "run_1", "task_1"), (closed.Environment["PARLEY_TOKEN"], closed.Environment["PARLEY_RUN_ID"], closed.Environment["PARLEY_TASK_ID"]));

        Assert.Equal("constrained_runtime_required", HostCommand.Build(custom with { ConstrainedCommand = null }, Context(true), parent).FailureReason);
        Assert.False((custom with { ConstrainedCommand = null }).ConstrainedCapable);
        Assert.True(new LocalBinding("agt_1", "helper", "codex", "/work").ConstrainedCapable);
    }
}
