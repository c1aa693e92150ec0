using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Parley.Server.Data;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Identity;

/// <summary>
/// After the identity flows, no secret — password, key, token, refresh token, code — appears in clear in the
/// database or in any log line.
/// </summary>
public sealed class SecretsAtRestTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task NoSecretIsStoredOrLoggedInClear()
    {
        var secrets = new List<string>();
        var password = "Pass-" + Guid.NewGuid().ToString("N");
        var email = Actors.NewEmail();
        var signup = await (await Http.PostAsync("/v1/auth/signup", new { email, password, name = "S" })).OkAsync(HttpStatusCode.Created);
        var access = signup.GetProperty("access_token").GetString()!;
        secrets.Add(password);
        secrets.Add(signup.GetProperty("refresh_token").GetString()!);
        secrets.Add(server.LastCode(email));
        await (await Http.PostAsync("/v1/auth/verify-email", new { code = server.LastCode(email) }, access)).OkAsync(HttpStatusCode.NoContent);
        var refreshed = await (await Http.PostAsync("/v1/auth/refresh", new { refresh_token = signup.GetProperty("refresh_token").GetString() })).OkAsync();
        secrets.Add(refreshed.GetProperty("refresh_token").GetString()!);
        access = refreshed.GetProperty("access_token").GetString()!;
        var workspace = signup.GetProperty("workspace").GetProperty("id").GetString();

        var pat = await (await Http.PostAsync("/v1/me/tokens", new { name = "ci" }, access)).OkAsync(HttpStatusCode.Created);
        secrets.Add(pat.GetProperty("secret").GetString()!);
        var created = await (await Http.PostAsync($"/v1/workspaces/{workspace}/agents", new { handle = Actors.NewHandle() }, access)).OkAsync(HttpStatusCode.Created);
        secrets.Add(created.GetProperty("api_key").GetString()!);
        var agentId = created.GetProperty("agent").GetProperty("id").GetString();
        var publishable = await (await Http.PostAsync($"/v1/workspaces/{workspace}/agents/{agentId}/keys", new { kind = "publishable" }, access)).OkAsync(HttpStatusCode.Created);
        secrets.Add(publishable.GetProperty("api_key").GetString()!);
        var passport = await (await Http.PostAsync("/v1/agents/me/passport", new { }, created.GetProperty("api_key").GetString())).OkAsync();
        secrets.Add(passport.GetProperty("passport").GetString()!);

        // Idempotent replays store the response (which holds a new key) sealed.
        var replayed = await (await Http.PostAsync($"/v1/workspaces/{workspace}/agents/{agentId}/keys", new { kind = "secret" }, access, idempotencyKey: Http.NewIdempotencyKeyValue()))
            .OkAsync(HttpStatusCode.Created);
        secrets.Add(replayed.GetProperty("api_key").GetString()!);

        var agentEmail = Actors.NewEmail("agent");
        var registered = await server.RegisterAgentAsync(agentEmail);
        secrets.Add(registered.ApiKey);
        secrets.Add(server.LastCode(agentEmail));
        var reset = await (await Http.PostAsync("/v1/auth/password-reset", new { email })).OkAsync();
        var newPassword = "New-" + Guid.NewGuid().ToString("N");
        secrets.Add(server.LastCode(email));
        await (await Http.PostAsync("/v1/auth/password-reset/verify", new { pending_id = reset.GetProperty("pending_id").GetString(), code = server.LastCode(email), new_password = newPassword }))
            .OkAsync(HttpStatusCode.NoContent);
        secrets.Add(newPassword);

        // Check every secret and, for prefixed keys, their secret part alone.
        var needles = secrets.SelectMany(s => s.StartsWith("prl_", StringComparison.Ordinal) ? new[] { s, s[^43..] } : [s]).Distinct().ToList();
        var stored = await DumpDatabaseAsync();
        var logs = string.Join('\n', server.Logs.Lines);
        Assert.NotEmpty(stored);
        Assert.Contains(email, logs + Encoding.UTF8.GetString(stored), StringComparison.Ordinal); // the scan does see data
        foreach (var needle in needles)
        {
            Assert.True(IndexOf(stored, Encoding.UTF8.GetBytes(needle)) < 0, $"a secret ({needle[..6]}…) is stored in clear");
            Assert.DoesNotContain(needle, logs, StringComparison.Ordinal);
        }
    }

    private async Task<byte[]> DumpDatabaseAsync()
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ParleyDb>();
        if (!TestDatabase.IsPostgres)
        {
            var path = Path.Combine(server.DataDirectory, "parley.db");
            var bytes = new List<byte>();
            foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory);
                bytes.AddRange(memory.ToArray());
            }
            return [.. bytes];
        }
        var text = new StringBuilder();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        foreach (var table in tables)
        {
            // Rows as text, with bytea decoded as it would be read back (escape form shows embedded ASCII).
            await using var command = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.AppendLine(reader.GetString(0));
            }
        }
        await using (var bytea = new NpgsqlCommand("SET bytea_output = 'escape'", connection))
        {
            await bytea.ExecuteNonQueryAsync();
        }
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.AppendLine(reader.GetString(0));
            }
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
