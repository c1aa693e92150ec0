using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Platform;

/// <summary>The server's own log, as a process writes it, at the most verbose level there is.</summary>
public sealed class LogSafetyTests
{
    [Fact]
    public async Task SignaturesKeysAndTokensNeverReachTheLogWhateverTheLevel()
    {
        if (TestDatabase.IsPostgres)
        {
            return; // The log's content does not depend on the provider; the SQLite run covers it.
        }
        var directory = Directory.CreateTempSubdirectory("parley-logs-").FullName;
        var port = ServerProcess.FreePort();
        var address = new Uri("http://127.0.0.1:" + port);
        await using var server = await ServerProcess.StartAsync(directory,
            ["--urls=" + address, "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace"],
            address);
        using var http = new HttpClient { BaseAddress = address };

        var signup = await (await http.PostAsync("/v1/auth/signup", new { email = Actors.NewEmail(), password = "correct horse battery", name = "Owner" }))
            .OkAsync(HttpStatusCode.Created);
        var session = signup.GetProperty("access_token").GetString()!;
        var workspace = signup.GetProperty("workspace").GetProperty("id").GetString()!;
        var agent = await (await http.PostAsync($"/v1/workspaces/{workspace}/agents", new { handle = Actors.NewHandle() }, session)).OkAsync(HttpStatusCode.Created);
        var key = agent.GetProperty("api_key").GetString()!;
        var room = (await (await http.PostAsync("/v1/rooms", new { name = "logs" }, session)).OkAsync(HttpStatusCode.Created)).Id();
        var bytes = RandomNumberGenerator.GetBytes(100);
        var upload = await (await http.PostAsync($"/v1/rooms/{room}/uploads",
            new { path = "blob.bin", content_type = "application/octet-stream", size_bytes = bytes.Length, sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)) },
            session)).OkAsync(HttpStatusCode.Created);
        var url = new Uri(upload.GetProperty("upload_url").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync(url.PathAndQuery, new ByteArrayContent(bytes))).StatusCode);
        await (await http.GetAsync("/v1/agents/me", key)).OkAsync();
        await (await http.GetAsync($"/v1/nothing?signature={url.Query.Split("signature=")[1]}", key)).ErrorAsync(Parley.Contracts.Errors.ErrorCodes.NotFound);

        var signature = url.Query.Split("signature=")[1];
        var secrets = new[] { signature, key[^40..], session.Split('.')[2], signup.GetProperty("refresh_token").GetString()![^40..] };
        var log = string.Join('\n', server.Output);
        Assert.Contains("/v1/uploads/", log, StringComparison.Ordinal); // the verbose level did log the upload's request
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
        Assert.All(server.Output.Where(l => l.StartsWith('{')), line => JsonDocument.Parse(line).Dispose());
        Assert.Equal(0, await server.StopAsync());
        Directory.Delete(directory, recursive: true);
    }
}
