using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Gateway;

/// <summary>
/// The forward proxy with real clients: plain HTTP forwarding, CONNECT with TLS interception by the deployment's CA
/// (trusted by one client, not by another), 407 without a credential, catalog errors inside the tunnel.
/// </summary>
public sealed class ProxyTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    private HttpClient Http => server.Http;

    /// <summary>A proxy setting that never bypasses (the BCL's WebProxy always bypasses loopback, where the upstreams are).</summary>
    private sealed class AlwaysProxy(Uri proxy, ICredentials? credentials) : IWebProxy
    {
        public ICredentials? Credentials { get; set; } = credentials;
        public Uri GetProxy(Uri destination) => proxy;
        public bool IsBypassed(Uri host) => false;
    }

    private HttpClient Through(string? key, X509Certificate2? trusted)
    {
        var handler = new SocketsHttpHandler
        {
            Proxy = new AlwaysProxy(server.Proxy, key is null ? null : new NetworkCredential("agent", key)),
            UseProxy = true,
            PreAuthenticate = true,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (trusted is null || certificate is null)
                    {
                        return errors == SslPolicyErrors.None;
                    }
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(trusted);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None && chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private async Task<X509Certificate2> CaAsync()
    {
        var response = await Http.GetAsync("/v1/gateway/ca.pem");
        Assert.Equal("application/x-pem-file", response.Content.Headers.ContentType?.MediaType);
        return X509Certificate2.CreateFromPem(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainAndTunnelledCallsAreGovernedWithTheVaultsCredentials()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await server.AddSecretAsync(owner, server.Plain.HostPattern, new { kind = "header", header_name = "Authorization", value_format = "token {value}" }, "plain-secret-11");
        await server.AddSecretAsync(owner, server.Secure.HostPattern, new { kind = "header", header_name = "Authorization", value_format = "token {value}" }, "tls-secret-22");
        var ca = await CaAsync();
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        using var client = Through(agent.ApiKey, ca);

        var before = (server.Plain.Requests.Count, server.Secure.Requests.Count);
        using var plain = new HttpRequestMessage(HttpMethod.Post, server.Plain.Url("/plain?x=1")) { Content = new StringContent("hello") };
        plain.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "agents-own");
        var plainAnswer = await client.SendAsync(plain);
        Assert.Equal(HttpStatusCode.OK, plainAnswer.StatusCode);
        Assert.Equal("yes", plainAnswer.Headers.GetValues("X-Upstream").Single());
        var seenPlain = server.Plain.Requests.Skip(before.Item1).Single();
        Assert.Equal(("token plain-secret-11", "/plain", "?x=1", "hello"), (seenPlain.Headers["authorization"], seenPlain.Path, seenPlain.Query,
            Encoding.UTF8.GetString(seenPlain.Body)));
        Assert.False(seenPlain.Headers.ContainsKey("proxy-authorization"));

        var tunnelled = await client.GetAsync(server.Secure.Url("/secure/path?q=2"));
        Assert.Equal(HttpStatusCode.OK, tunnelled.StatusCode);
        var seenSecure = server.Secure.Requests.Skip(before.Item2).Single();
        Assert.Equal(("token tls-secret-22", "/secure/path", "?q=2"), (seenSecure.Headers["authorization"], seenSecure.Path, seenSecure.Query));
        // A second request on the same tunnel is governed too; the upstream's status is passed through.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(server.Secure.Url("/status/404"))).StatusCode);

        var log = (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log", owner.AccessToken)).OkAsync()).GetProperty("data");
        Assert.All(log.EnumerateArray(), line => Assert.Equal("proxy", line.GetProperty("via").GetString()));
        Assert.Equal(["/status/404", "/secure/path", "/plain"], log.EnumerateArray().Select(l => l.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task NoCredentialNoRelayAClientThatDoesNotTrustTheCaGetsNothingAndErrorsAreCatalogResponses()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var before = (server.Plain.Requests.Count, server.Secure.Requests.Count);

        using (var anonymous = Through(null, null))
        {
            var refused = await anonymous.GetAsync(server.Plain.Url("/anon"));
            Assert.Equal(HttpStatusCode.ProxyAuthenticationRequired, refused.StatusCode);
            Assert.Equal("Basic realm=\"parley\"", refused.Headers.ProxyAuthenticate.ToString());
            Assert.Equal(ErrorCodes.Unauthorized, refused.Headers.GetValues("X-Error-Code").Single());
            var tunnel = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync(server.Secure.Url("/anon")));
            Assert.Contains("407", tunnel.Message, StringComparison.Ordinal);
        }
        using (var wrongKey = Through("prl_sk_notakeyatall_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", null))
        {
            Assert.Equal(HttpStatusCode.ProxyAuthenticationRequired, (await wrongKey.GetAsync(server.Plain.Url("/anon"))).StatusCode);
        }
        using (var distrustful = Through(agent.ApiKey, null))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => distrustful.GetAsync(server.Secure.Url("/untrusted")));
        }
        Assert.Equal(before, (server.Plain.Requests.Count, server.Secure.Requests.Count));

        // Inside the tunnel, the gateway answers with the catalog.
        await server.AddRuleAsync(owner, new { name = "no admin", host_pattern = server.Secure.HostPattern, path_pattern = "/admin/*", action = "block" });
        using var client = Through(agent.ApiKey, await CaAsync());
        var blocked = await client.GetAsync(server.Secure.Url("/admin/users"));
        Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
        Assert.Equal(ErrorCodes.PolicyBlocked, blocked.Headers.GetValues("X-Error-Code").Single());
        Assert.Contains("\"code\":\"POLICY_BLOCKED\"", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // An https:// URL as a plain proxy request is refused (no downgrade), and so is a request that is not a proxy request.
        var key = Convert.ToBase64String(Encoding.UTF8.GetBytes("agent:" + agent.ApiKey));
        Assert.Contains("400", await RawAsync($"GET {server.Secure.Url("/x")} HTTP/1.1\r\nHost: localhost\r\nProxy-Authorization: Basic {key}\r\n\r\n"));
        Assert.Contains("X-Error-Code: VALIDATION_ERROR", await RawAsync($"GET /v1/errors HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic {key}\r\n\r\n"));
        Assert.Contains("407", await RawAsync($"CONNECT localhost:{server.Secure.BaseAddress.Port} HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        Assert.Equal(before.Item2, server.Secure.Requests.Count);
    }

    /// <summary>Sends raw bytes to the proxy and returns the head of its answer.</summary>
    private async Task<string> RawAsync(string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Proxy.Host, server.Proxy.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}

/// <summary>
/// <c>parley run -- curl …</c>: the real CLI process starts the real curl with the gateway's proxy and CA variables, and
/// the call is governed with no change to curl. (The upstream is on 127.0.0.2: <c>NO_PROXY</c> keeps localhost and
/// 127.0.0.1 direct, as the spec says.)
/// </summary>
public sealed class ParleyRunTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    [Fact]
    public async Task CurlThroughParleyRunIsGovernedAndGetsTheVaultsCredential()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        await using var upstream = await Upstream.StartAsync(server.Ca.IssueServer(), IPAddress.Parse("127.0.0.2"));
        await server.AddSecretAsync(owner, upstream.HostPattern, new { kind = "header", header_name = "X-Api-Key" }, "curl-secret-77");
        var home = Path.Combine(Path.GetTempPath(), "parley-run-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        await using var run = CliProcess.Start(home, ["run", "--server", server.BaseAddress.ToString(), "--proxy", server.Proxy.ToString(), "--",
            "curl", "-sS", "-X", "POST", "-d", "from curl", upstream.Url("/governed?x=1").ToString()],
            new Dictionary<string, string> { ["PARLEY_TOKEN"] = agent.ApiKey });
        Assert.Equal(0, await run.WaitForExitAsync());
        Assert.Contains("\"method\":\"POST\"", run.Text, StringComparison.Ordinal);
        var seen = Assert.Single(upstream.Requests);
        Assert.Equal(("curl-secret-77", "/governed", "from curl"), (seen.Headers["x-api-key"], seen.Path, Encoding.UTF8.GetString(seen.Body)));
        var line = (await (await server.Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log", owner.AccessToken)).OkAsync()).GetProperty("data")[0];
        Assert.Equal(("proxy", "/governed", 200), (line.GetProperty("via").GetString(), line.GetProperty("path").GetString(), line.GetProperty("status").GetInt32()));

        // Without a credential there is nothing to run as.
        await using var anonymous = CliProcess.Start(home, ["run", "--server", server.BaseAddress.ToString(), "--", "curl", "-sS", upstream.Url("/x").ToString()]);
        Assert.Equal(1, await anonymous.WaitForExitAsync());
        Assert.Contains("PARLEY_TOKEN", anonymous.Text, StringComparison.Ordinal);
    }
}
