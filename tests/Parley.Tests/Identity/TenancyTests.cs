using System.Net;
using System.Text.RegularExpressions;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Identity;

/// <summary>
/// Another owner's resources are indistinguishable from missing ones. The walk takes every route of the OpenAPI
/// document that names a workspace or an owner's resource, fills in owner A's ids, and calls it as owner B.
/// </summary>
public sealed partial class TenancyTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task EveryOwnerRouteAnswersNotFoundWithAnotherOwnersIds()
    {
        var a = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(a);
        var key = await (await server.Http.PostAsync($"/v1/workspaces/{a.WorkspaceId}/agents/{agent.Id}/keys", new { kind = "secret" }, a.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        var token = await (await server.Http.PostAsync("/v1/me/tokens", new { name = "a" }, a.AccessToken)).OkAsync(HttpStatusCode.Created);
        var invitedA = await server.SignupVerifiedAsync();
        var invite = await (await server.Http.PostAsync($"/v1/workspaces/{a.WorkspaceId}/members", new { email = invitedA.Email, role = "member" }, a.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        var b = await server.SignupAsync();

        var ids = new Dictionary<string, string>
        {
            ["agentId"] = agent.Id,
            ["keyId"] = key.GetProperty("key").GetProperty("id").GetString()!,
            ["accountId"] = invitedA.AccountId,
            ["tokenId"] = token.GetProperty("token").GetProperty("id").GetString()!,
            ["inviteId"] = invite.GetProperty("invite").GetProperty("id").GetString()!,
        };
        var body = new
        {
            name = "x", role = "member", email = "someone@example.test", handle = Actors.NewHandle(), kind = "secret",
            paused = "none", api_key = agent.ApiKey, reason = "x",
        };

        var document = await (await server.Http.GetAsync("/openapi/v1.json")).OkAsync();
        var walked = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var parameters = ParameterPattern().Matches(path.Name).Select(m => m.Groups[1].Value).ToList();
            // Admin routes are for instance admins over every owner's agents; ADMIN_REQUIRED guards them instead.
            if (parameters.Count == 0 || path.Name.StartsWith("/v1/admin/", StringComparison.Ordinal)
                || parameters.Any(p => p != "workspaceId" && !ids.ContainsKey(p)))
            {
                continue;
            }
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (!operation.Value.TryGetProperty("x-parley-audience", out var audience) || audience.GetString() == "agent")
                {
                    continue; // owner routes only: agents' tenancy is membership, tested with each module
                }
                var method = new HttpMethod(operation.Name.ToUpperInvariant());
                // A's workspace as B, and (where the route names a resource) B's own workspace with A's resource.
                foreach (var workspace in new[] { a.WorkspaceId, b.WorkspaceId }.Distinct())
                {
                    if (workspace == b.WorkspaceId && parameters.SequenceEqual(["workspaceId"]))
                    {
                        continue;
                    }
                    var url = ParameterPattern().Replace(path.Name, m => m.Groups[1].Value == "workspaceId" ? workspace : ids[m.Groups[1].Value]);
                    var response = await server.Http.SendAsync(method, url, method == HttpMethod.Get ? null : body, b.AccessToken);
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {url} answered {(int)response.StatusCode}: {text}");
                    walked.Add($"{method} {path.Name}");
                }
            }
        }
        Assert.True(walked.Distinct().Count() >= 18, "walked only: " + string.Join(", ", walked.Distinct()));

        // A's things are all still there.
        await (await server.Http.GetAsync($"/v1/workspaces/{a.WorkspaceId}/agents/{agent.Id}", a.AccessToken)).OkAsync();
        await (await server.Http.GetAsync("/v1/me", token.GetProperty("secret").GetString())).OkAsync();
        Assert.Single((await (await server.Http.GetAsync("/v1/me/invites", invitedA.AccessToken)).OkAsync()).GetProperty("data").EnumerateArray());
    }

    [GeneratedRegex(@"\{([A-Za-z]+)\}")]
    private static partial Regex ParameterPattern();
}
