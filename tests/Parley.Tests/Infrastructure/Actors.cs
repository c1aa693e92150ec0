using System.Net;
using System.Text.Json;

namespace Parley.Tests.Infrastructure;

public sealed record Owner(string AccountId, string Email, string Password, string AccessToken, string RefreshToken, string WorkspaceId);

public sealed record TestAgent(string Id, string Handle, string Plate, string ApiKey);

/// <summary>The people and agents tests need, made through the public API the way clients make them.</summary>
public static class Actors
{
    public const string AdminEmail = "admin@parley.test";

    public static string NewEmail(string prefix = "owner") => $"{prefix}-{Guid.NewGuid():N}@example.test";

    public static string NewHandle(string prefix = "a") => prefix + Guid.NewGuid().ToString("N")[..12];

    public static async Task<Owner> SignupAsync(this TestServer server, string? email = null, string password = "correct horse battery")
    {
        email ??= NewEmail();
        var body = await (await server.Http.PostAsync("/v1/auth/signup", new { email, password, name = "Test Owner" })).OkAsync(HttpStatusCode.Created);
        return new Owner(body.GetProperty("account").GetProperty("id").GetString()!, email, password,
            body.GetProperty("access_token").GetString()!, body.GetProperty("refresh_token").GetString()!,
            body.GetProperty("workspace").GetProperty("id").GetString()!);
    }

    public static async Task<Owner> SignupVerifiedAsync(this TestServer server, string? email = null)
    {
        var owner = await server.SignupAsync(email);
        await (await server.Http.PostAsync("/v1/auth/verify-email", new { code = server.LastCode(owner.Email) }, owner.AccessToken))
            .OkAsync(HttpStatusCode.NoContent);
        return owner;
    }

    public static async Task<TestAgent> CreateAgentAsync(this TestServer server, Owner owner, string? handle = null, string[]? scopes = null, string? workspaceId = null)
    {
        handle ??= NewHandle();
        var body = await (await server.Http.PostAsync($"/v1/workspaces/{workspaceId ?? owner.WorkspaceId}/agents",
            new { handle, display_name = "Agent " + handle, scopes }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        return ToAgent(body);
    }

    /// <summary>Self-registers an agent through the mailed code.</summary>
    public static async Task<TestAgent> RegisterAgentAsync(this TestServer server, string? email = null, string? handle = null)
    {
        email ??= NewEmail("agent");
        handle ??= NewHandle("r");
        var pending = await (await server.Http.PostAsync("/v1/register", new { email, handle })).OkAsync();
        var body = await (await server.Http.PostAsync("/v1/register/verify",
            new { pending_id = pending.GetProperty("pending_id").GetString(), code = server.LastCode(email) })).OkAsync(HttpStatusCode.Created);
        return ToAgent(body);
    }

    public static TestAgent ToAgent(JsonElement created)
    {
        var agent = created.GetProperty("agent");
        return new TestAgent(agent.GetProperty("id").GetString()!, agent.GetProperty("handle").GetString()!,
            agent.GetProperty("plate").GetString()!, created.GetProperty("api_key").GetString()!);
    }

    /// <summary>Every mail the server wrote to its outbox (the server has no SMTP in tests).</summary>
    public static IReadOnlyList<JsonElement> Outbox(this TestServer server)
    {
        var path = Path.Combine(server.DataDirectory, "outbox.jsonl");
        return File.Exists(path)
            ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())]
            : [];
    }

    public static string LastCode(this TestServer server, string email) =>
        server.Outbox().Last(m => m.GetProperty("to").GetString() == email).GetProperty("code").GetString()!;

    public static int MailCount(this TestServer server, string email) =>
        server.Outbox().Count(m => m.GetProperty("to").GetString() == email);
}
