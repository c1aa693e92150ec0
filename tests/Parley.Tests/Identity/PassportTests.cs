using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Parley.Contracts.Errors;
using Parley.Server.Identity.Auth;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Identity;

public sealed class PassportTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    private async Task<string> MintAsync(string apiKey, object? body = null) =>
        (await (await Http.PostAsync("/v1/agents/me/passport", body ?? new { }, apiKey)).OkAsync()).GetProperty("passport").GetString()!;

    [Fact]
    public async Task APassportCarriesItsClaimsVerifiesWithThePublishedKeysAndActsAsTheAgent()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var issued = await (await Http.PostAsync("/v1/agents/me/passport", new { scopes = new[] { "read" } }, agent.ApiKey)).OkAsync();
        var passport = issued.GetProperty("passport").GetString()!;

        var jwks = await (await Http.GetAsync("/.well-known/jwks.json")).OkAsync();
        var keys = new JsonWebKeySet(jwks.ToString());
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(passport, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(), ValidAudience = "parley-passport", ValidIssuer = "parley", ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal(agent.Plate, jwt.Subject);
        Assert.Equal(agent.Id, jwt.GetPayloadValue<string>("aid"));
        Assert.Equal(owner.WorkspaceId, jwt.GetPayloadValue<string>("own"));
        Assert.Equal(["read"], jwt.GetPayloadValue<string[]>("scopes"));
        Assert.Equal(jwt.IssuedAt.AddMinutes(15), jwt.ValidTo);

        var me = await (await Http.GetAsync("/v1/agents/me", passport)).OkAsync();
        Assert.Equal(agent.Id, me.GetProperty("id").GetString());
        var scope = await (await Http.SendAsync(HttpMethod.Patch, "/v1/agents/me", new { description = "x" }, passport)).ErrorAsync(ErrorCodes.ForbiddenScope);
        Assert.Equal("write", scope.GetProperty("details").GetProperty("required_scope").GetString());
    }

    [Fact]
    public async Task APassportCannotCarryMoreThanItsKeyAndNeedsASecretKey()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner, scopes: ["read", "write"]);
        await (await Http.PostAsync("/v1/agents/me/passport", new { scopes = new[] { "invoke" } }, agent.ApiKey)).ErrorAsync(ErrorCodes.ForbiddenScope);
        var passport = await MintAsync(agent.ApiKey);
        var error = await (await Http.PostAsync("/v1/agents/me/passport", new { }, passport)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("secret_key_required", error.GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ExpiredTamperedAndMalformedPassportsSayWhy()
    {
        var owner = await server.SignupAsync();
        var agent = await server.CreateAgentAsync(owner);
        var passport = await MintAsync(agent.ApiKey);

        var parts = passport.Split('.');
        var tampered = parts[0] + "." + parts[1] + "." + new string('B', parts[2].Length);
        Assert.Equal("signature", (await (await Http.GetAsync("/v1/agents/me", tampered)).ErrorAsync(ErrorCodes.InvalidPassport))
            .GetProperty("details").GetProperty("reason").GetString());

        // Signed by the server's own key but without the claims a passport must have.
        var key = server.Services.GetRequiredService<SigningKeys>().Active.Key;
        var malformed = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["aud"] = "parley-passport", ["iss"] = "parley", ["exp"] = DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeSeconds() },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
        Assert.Equal("malformed", (await (await Http.GetAsync("/v1/agents/me", malformed)).ErrorAsync(ErrorCodes.InvalidPassport))
            .GetProperty("details").GetProperty("reason").GetString());

        server.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal("expired", (await (await Http.GetAsync("/v1/agents/me", passport)).ErrorAsync(ErrorCodes.InvalidPassport))
            .GetProperty("details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task RevokingTheKeyRevokesItsPassportsAndDeletingTheAgentMakesThemUnauthorized()
    {
        var owner = await server.SignupAsync();
        var keep = await server.CreateAgentAsync(owner);
        var agent = await server.CreateAgentAsync(owner);
        var passport = await MintAsync(agent.ApiKey);
        var keyId = agent.ApiKey.Split('_')[2];
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}/keys/{keyId}", token: owner.AccessToken))
            .OkAsync(HttpStatusCode.NoContent);
        Assert.Equal("key", (await (await Http.GetAsync("/v1/agents/me", passport)).ErrorAsync(ErrorCodes.Revoked))
            .GetProperty("details").GetProperty("subject").GetString());

        var other = await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}/keys", new { kind = "secret" }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        var second = await MintAsync(other.GetProperty("api_key").GetString()!);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}", token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync("/v1/agents/me", second)).ErrorAsync(ErrorCodes.Unauthorized);
        await (await Http.GetAsync("/v1/agents/me", keep.ApiKey)).OkAsync();
    }
}
