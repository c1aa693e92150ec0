using System.Net;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Gateway;

/// <summary>The vault: values injected by host and path as the upstream sees them, never shown again; validation; the cap.</summary>
public sealed class VaultTests(GatewayServer server) : IClassFixture<GatewayServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task AHeaderValueReachesTheUpstreamInPlaceOfTheCallersOwnAndIsNeverShownOrLogged()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        const string secret = "ghp_s3cr3tValueNobodySees9876";
        var entry = await server.AddSecretAsync(owner, server.Plain.HostPattern, new { kind = "header", header_name = "Authorization", value_format = "Bearer {value}" },
            secret, name: "github");
        Assert.Equal("9876", entry.GetProperty("value_last4").GetString());
        Assert.DoesNotContain(secret, entry.GetRawText(), StringComparison.Ordinal);

        var before = server.Plain.Requests.Count;
        var answer = await (await server.CallAsync(agent, "POST", server.Plain.Url("/repos?page=2"), new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer the-agents-own", ["X-Trace"] = "t-1", ["Keep-Alive"] = "timeout=5",
        }, "{\"title\":\"hello\"}")).OkAsync();
        Assert.Equal(200, answer.GetProperty("status").GetInt32());
        Assert.Equal("yes", answer.GetProperty("headers").GetProperty("x-upstream").GetString());
        Assert.Equal("POST", JsonDocument.Parse(answer.GetProperty("body").GetString()!).RootElement.GetProperty("method").GetString());
        Assert.Equal([entry.Id()], answer.GetProperty("injected").EnumerateArray().Select(i => i.GetString()));
        Assert.DoesNotContain(secret, answer.GetRawText(), StringComparison.Ordinal);

        var seen = server.Plain.Requests.Skip(before).Single();
        Assert.Equal($"Bearer {secret}", seen.Headers["authorization"]);
        Assert.Equal("t-1", seen.Headers["x-trace"]);
        Assert.False(seen.Headers.ContainsKey("keep-alive"), "a hop-by-hop header was forwarded");
        Assert.Equal(("/repos", "?page=2", "{\"title\":\"hello\"}"), (seen.Path, seen.Query, Encoding.UTF8.GetString(seen.Body)));

        // The owner sees the entry and the log line — neither holds the value; the log holds no query either.
        var listed = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/vault", owner.AccessToken)).OkAsync();
        Assert.DoesNotContain(secret, listed.GetRawText(), StringComparison.Ordinal);
        var line = (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log", owner.AccessToken)).OkAsync()).GetProperty("data")[0];
        Assert.Equal(answer.GetProperty("log_id").GetString(), line.Id());
        Assert.Equal(("POST", "/repos", "allowed", "api", 200), (line.GetProperty("method").GetString(), line.GetProperty("path").GetString(),
            line.GetProperty("decision").GetString(), line.GetProperty("via").GetString(), line.GetProperty("status").GetInt32()));
        Assert.Equal([entry.Id()], line.GetProperty("injected").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal(agent.Id, line.GetProperty("agent").GetProperty("id").GetString());
        Assert.DoesNotContain(secret, string.Join("\n", server.Logs.Lines), StringComparison.Ordinal);
        if (!TestDatabase.IsPostgres)
        {
            foreach (var file in Directory.GetFiles(server.DataDirectory, "*", SearchOption.AllDirectories))
            {
                Assert.DoesNotContain(secret, Encoding.UTF8.GetString(await ReadSharedAsync(file)), StringComparison.Ordinal);
            }
        }
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task QueryAndPathInjectionsTheMostSpecificEntryAndAgentRestrictions()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var other = await server.CreateAgentAsync(owner);
        var host = server.Secure.HostPattern;
        var general = await server.AddSecretAsync(owner, "*host:" + server.Secure.BaseAddress.Port, new { kind = "header", header_name = "X-Api-Key" }, "general-0001");
        var exact = await server.AddSecretAsync(owner, host, new { kind = "header", header_name = "X-Api-Key" }, "exact-0002");
        var special = await server.AddSecretAsync(owner, host, new { kind = "header", header_name = "X-Api-Key" }, "special-0003", path: "/special/*");
        var query = await server.AddSecretAsync(owner, host, new { kind = "query", param_name = "api_key" }, "query-0004", path: "/q/*", agents: [agent.Handle]);
        var path = await server.AddSecretAsync(owner, host, new { kind = "path", template = "/bot{value}" }, "tok-0005", path: "/tg/*");

        async Task<Upstream.Seen> CallAsync(TestAgent who, string target)
        {
            var before = server.Secure.Requests.Count;
            await (await server.CallAsync(who, "GET", server.Secure.Url(target))).OkAsync();
            return server.Secure.Requests.Skip(before).Single();
        }

        // Exact host over wildcard; a path pattern over none; a path pattern covers the folder itself too.
        Assert.Equal("exact-0002", (await CallAsync(agent, "/other")).Headers["x-api-key"]);
        Assert.Equal("special-0003", (await CallAsync(agent, "/special")).Headers["x-api-key"]);
        Assert.Equal("special-0003", (await CallAsync(agent, "/special/deep/er")).Headers["x-api-key"]);
        Assert.Equal("exact-0002", (await CallAsync(agent, "/specialist")).Headers["x-api-key"]);
        var q = await CallAsync(agent, "/q/search?term=x&api_key=forged");
        Assert.Equal("?term=x&api_key=query-0004", q.Query);
        Assert.Equal("", (await CallAsync(other, "/q/search?term=x")).Query.Replace("?term=x", ""));
        Assert.Equal("/bottok-0005/tg/send", (await CallAsync(agent, "/tg/send")).Path);
        _ = (general, exact, special, query, path);

        var log = (await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/log?agent={other.Handle}", owner.AccessToken)).OkAsync())
            .GetProperty("data");
        Assert.Equal([exact.Id()], log[0].GetProperty("injected").EnumerateArray().Select(i => i.GetString()));

        var explained = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/gateway/explain",
            new { agent = agent.Handle, method = "GET", url = server.Secure.Url("/special/x").ToString() }, owner.AccessToken)).OkAsync();
        Assert.Equal("allow", explained.GetProperty("decision").GetString());
        Assert.Equal([special.Id()], explained.GetProperty("injected").EnumerateArray().Select(i => i.GetProperty("entry_id").GetString()));
        Assert.True(explained.GetProperty("would_count").GetBoolean());
    }

    [Fact]
    public async Task EntriesAreValidatedWithTheWordsOwnersKnowAndCappedByThePlan()
    {
        var owner = await server.SignupAsync();
        var vault = $"/v1/workspaces/{owner.WorkspaceId}/vault";
        async Task<string> ProblemAsync(object body, string field) =>
            (await (await Http.PostAsync(vault, body, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError)).GetProperty("fields").GetProperty(field)[0].GetString()!;
        object Entry(string host, object? injection = null, string value = "v-1234", string? path = null) =>
            new { name = "x", host_pattern = host, path_pattern = path, injection = injection ?? new { kind = "header", header_name = "X-Key" }, value };

        Assert.Equal("Enter a hostname, not a URL (remove http:// or https://)", await ProblemAsync(Entry("https://api.github.com"), "host_pattern"));
        Assert.Equal("Enter a hostname only, not a path (use the path pattern field for paths)", await ProblemAsync(Entry("api.github.com/repos"), "host_pattern"));
        Assert.Equal("Host pattern must not contain spaces", await ProblemAsync(Entry("api github.com"), "host_pattern"));
        Assert.StartsWith("A wildcard may not cover a whole public suffix", await ProblemAsync(Entry("*.com"), "host_pattern"));
        Assert.StartsWith("A wildcard may not cover a whole public suffix", await ProblemAsync(Entry("*.co.uk"), "host_pattern"));
        Assert.Equal("may only end with /* (a folder and everything below it)", await ProblemAsync(Entry("api.github.com", path: "/a*b"), "path_pattern"));
        Assert.Equal("Header name, parameter name, or URL path template is required",
            await ProblemAsync(Entry("api.github.com", new { kind = "query" }), "injection.param_name"));
        Assert.StartsWith("must be path-safe", await ProblemAsync(Entry("api.github.com", new { kind = "path", template = "/bot{value}" }, "a/b"), "value"));
        Assert.StartsWith("must start with /", await ProblemAsync(Entry("api.github.com", new { kind = "path", template = "bot{value}{value}" }), "injection.template"));

        var created = await (await Http.PostAsync(vault, Entry("*.github.com"), owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync(vault, Entry("*.GitHub.com"), owner.AccessToken)).ErrorAsync(ErrorCodes.TokenExists);
        Assert.Equal("No fields to update", (await (await Http.SendAsync(HttpMethod.Patch, $"{vault}/{created.Id()}", new { }, owner.AccessToken))
            .ErrorAsync(ErrorCodes.ValidationError)).GetProperty("fields").GetProperty("$")[0].GetString());
        var rotated = await (await Http.SendAsync(HttpMethod.Patch, $"{vault}/{created.Id()}", new { value = "new-value-5678" }, owner.AccessToken)).OkAsync();
        Assert.Equal("5678", rotated.GetProperty("value_last4").GetString());
        await (await Http.PostAsync(vault, new { name = "x", host_pattern = "a.example.org", injection = new { kind = "header", header_name = "X" }, value = "v",
            agent_ids = new[] { "nobody-here" } }, owner.AccessToken)).ErrorAsync(ErrorCodes.AgentNotFound);

        // Another owner sees none of it.
        var stranger = await server.SignupAsync();
        await (await Http.GetAsync($"{vault}/{created.Id()}", stranger.AccessToken)).ErrorAsync(ErrorCodes.WorkspaceNotFound);
        await (await Http.GetAsync($"/v1/workspaces/{stranger.WorkspaceId}/vault/{created.Id()}", stranger.AccessToken)).ErrorAsync(ErrorCodes.NotFound);

        await (await Http.SendAsync(HttpMethod.Delete, $"{vault}/{created.Id()}", null, owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync($"{vault}/{created.Id()}", owner.AccessToken)).ErrorAsync(ErrorCodes.NotFound);

        await (await Http.SendAsync(HttpMethod.Put, $"/v1/admin/workspaces/{owner.WorkspaceId}/plan", new { plan = "onesecret" }, await server.AdminTokenAsync())).OkAsync();
        await (await Http.PostAsync(vault, Entry("one.example.org"), owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        var capped = await (await Http.PostAsync(vault, Entry("two.example.org"), owner.AccessToken)).ErrorAsync(ErrorCodes.FeatureLimitReached);
        Assert.Equal(("vault_entries", 1), (capped.GetProperty("details").GetProperty("feature").GetString(), capped.GetProperty("details").GetProperty("limit").GetInt32()));
    }
}
