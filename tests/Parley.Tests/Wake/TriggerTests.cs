using System.Net;
using System.Security.Cryptography;
using System.Text;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Wake;

/// <summary>Webhook triggers: the secret or a Standard Webhooks signature, the payload schema (JsonSchema.Net), replays, a busy agent.</summary>
public sealed class TriggerTests(WakeServer server) : IClassFixture<WakeServer>
{
    private HttpClient Http => server.Http;

    private async Task<(Owner Owner, TestAgent Agent, string Id, string Secret, string Url)> TriggerAsync(object? schema = null)
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var created = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Handle}/triggers",
            new { name = "deploys", schema, prompt_template = "A deploy finished: {{payload}}" }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        return (owner, agent, created.GetProperty("id").GetString()!, created.GetProperty("secret").GetString()!, created.GetProperty("url").GetString()!);
    }

    private Task<HttpResponseMessage> CallAsync(string id, string body, IDictionary<string, string> headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/hooks/{id}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return Http.SendAsync(request);
    }

    private Dictionary<string, string> Signed(string secret, string webhookId, string body, DateTimeOffset? at = null)
    {
        var stamp = (at ?? server.Clock.GetUtcNow()).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{webhookId}.{stamp}.{body}")));
        return new() { ["webhook-id"] = webhookId, ["webhook-timestamp"] = stamp, ["webhook-signature"] = $"v1,{signature}" };
    }

    [Fact]
    public async Task ACallWithTheSecretStartsARunWithThePayloadAndABusyAgentAnswersAlreadyRunning()
    {
        var (owner, agent, id, secret, url) = await TriggerAsync();
        Assert.StartsWith("hook_", id);
        Assert.StartsWith("whsec_", secret);
        Assert.EndsWith($"/v1/hooks/{id}", url);
        var accepted = await (await CallAsync(id, "{\"service\":\"api\"}", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret }))
            .OkAsync(HttpStatusCode.Accepted);
        var runId = accepted.GetProperty("run_id").GetString();
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        var run = await (await Http.GetAsync($"/v1/runs/{runId}", owner.AccessToken)).OkAsync();
        Assert.Equal(("webhook", id, "api"), (run.GetProperty("reason").GetString(), run.GetProperty("hook_id").GetString(),
            run.GetProperty("input").GetProperty("service").GetString()));
        Assert.Equal(agent.Id, run.GetProperty("agent_id").GetString());

        var busy = await (await CallAsync(id, "{}", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret })).ErrorAsync(ErrorCodes.AgentAlreadyRunning);
        Assert.Equal(runId, busy.GetProperty("details").GetProperty("run_id").GetString());
        await (await CallAsync(id, "{}", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret + "x" })).ErrorAsync(ErrorCodes.Unauthorized);
        await (await CallAsync(id, "{}", new Dictionary<string, string>())).ErrorAsync(ErrorCodes.Unauthorized);
        await (await CallAsync("hook_nope", "{}", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret })).ErrorAsync(ErrorCodes.Unauthorized);
        await (await CallAsync(id, "not json", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret })).ErrorAsync(ErrorCodes.ValidationError);
        await (await CallAsync(id, $"{{\"x\":\"{new string('a', 270_000)}\"}}", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret }))
            .ErrorAsync(ErrorCodes.ContentTooLarge);

        // A rotated secret replaces the old one at once; the list never shows a secret.
        var rotated = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/triggers/{id}/rotate-secret", null, owner.AccessToken)).OkAsync();
        Assert.NotEqual(secret, rotated.GetProperty("secret").GetString());
        await (await CallAsync(id, "{}", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret })).ErrorAsync(ErrorCodes.Unauthorized);
        var listed = Assert.Single((await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/triggers", owner.AccessToken)).OkAsync())
            .GetProperty("data").EnumerateArray());
        Assert.False(listed.TryGetProperty("secret", out _));
    }

    [Fact]
    public async Task AStandardWebhooksSignatureProvesTheSecretAndARepeatedWebhookIdGetsTheFirstAnswer()
    {
        var (owner, _, id, secret, _) = await TriggerAsync();
        var body = "{\"n\":1}";
        var first = await (await CallAsync(id, body, Signed(secret, "msg_1", body))).OkAsync(HttpStatusCode.Accepted);
        var again = await (await CallAsync(id, body, Signed(secret, "msg_1", body))).OkAsync(HttpStatusCode.Accepted);
        Assert.Equal(first.GetProperty("run_id").GetString(), again.GetProperty("run_id").GetString());
        var runs = await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/runs", owner.AccessToken)).OkAsync();
        Assert.Single(runs.GetProperty("data").EnumerateArray());

        await (await CallAsync(id, body, Signed(secret, "msg_2", "{\"n\":2}"))).ErrorAsync(ErrorCodes.Unauthorized);
        await (await CallAsync(id, body, Signed(secret, "msg_3", body, server.Clock.GetUtcNow().AddMinutes(-6)))).ErrorAsync(ErrorCodes.Unauthorized);

        // A webhook id is remembered for 24 hours; after that the same id is a new call (the first run expired meanwhile).
        server.Clock.Advance(TimeSpan.FromHours(25));
        await (await Http.PostAsync("/_test/jobs/run-clocks", null)).OkAsync();
        await (await Http.PostAsync("/_test/jobs/trigger-call-cleanup", null)).OkAsync();
        var later = await (await CallAsync(id, body, Signed(secret, "msg_1", body))).OkAsync(HttpStatusCode.Accepted);
        Assert.NotEqual(first.GetProperty("run_id").GetString(), later.GetProperty("run_id").GetString());
    }

    [Fact]
    public async Task APayloadMustMeetTheTriggersSchemaAndASchemaMustBeOne()
    {
        var schema = new { type = "object", required = new[] { "service" }, properties = new { service = new { type = "string" }, count = new { type = "integer", minimum = 1 } } };
        var (owner, agent, id, secret, _) = await TriggerAsync(schema);
        var refused = await (await CallAsync(id, "{\"count\":0}", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret }))
            .ErrorAsync(ErrorCodes.ValidationError);
        var fields = refused.GetProperty("fields");
        Assert.True(fields.TryGetProperty("count", out _), fields.ToString());
        Assert.True(fields.TryGetProperty("$", out _), fields.ToString());
        await (await CallAsync(id, "{\"service\":\"api\",\"count\":3}", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret }))
            .OkAsync(HttpStatusCode.Accepted);

        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Handle}/triggers", new { name = "bad", schema = new { type = 12 } },
            owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Handle}/triggers", new { name = "bad", schema = "a string" },
            owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/triggers/{id}", token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await CallAsync(id, "{\"service\":\"api\"}", new Dictionary<string, string> { ["X-Webhook-Secret"] = secret })).ErrorAsync(ErrorCodes.Unauthorized);
    }
}
