using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Identity;

public sealed class OwnerAuthTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task SignupCreatesAccountWorkspaceAndSessionAndMailsACode()
    {
        var email = Actors.NewEmail();
        var response = await Http.PostAsync("/v1/auth/signup", new { email = email.ToUpperInvariant(), password = "long enough pw", name = "Ada" });
        var body = await response.OkAsync(HttpStatusCode.Created);
        Assert.StartsWith("acct_", body.GetProperty("account").GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(email, body.GetProperty("account").GetProperty("email").GetString());
        Assert.False(body.GetProperty("account").GetProperty("email_verified").GetBoolean());
        Assert.StartsWith("ws_", body.GetProperty("workspace").GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(900, body.GetProperty("expires_in").GetInt32());
        Assert.StartsWith("prl_rt_", body.GetProperty("refresh_token").GetString(), StringComparison.Ordinal);
        Assert.Matches("^[0-9]{6}$", server.LastCode(email));

        var me = await (await Http.GetAsync("/v1/me", body.GetProperty("access_token").GetString())).OkAsync();
        Assert.Equal("owner", me.GetProperty("workspaces")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task SignupValidatesEachField()
    {
        var error = await (await Http.PostAsync("/v1/auth/signup", new { email = "not-an-email", password = "short" })).ErrorAsync(ErrorCodes.ValidationError);
        var fields = error.GetProperty("fields");
        Assert.True(fields.TryGetProperty("email", out _));
        Assert.True(fields.TryGetProperty("password", out _));
        Assert.True(fields.TryGetProperty("name", out _));
    }

    [Fact]
    public async Task ASecondSignupWithTheEmailIsEmailTaken()
    {
        var owner = await server.SignupAsync();
        await (await Http.PostAsync("/v1/auth/signup", new { email = owner.Email, password = "another password", name = "B" }))
            .ErrorAsync(ErrorCodes.EmailTaken);
    }

    [Fact]
    public async Task TwoSimultaneousSignupsWithOneEmailGiveOneAccount()
    {
        var email = Actors.NewEmail();
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            Http.PostAsync("/v1/auth/signup", new { email, password = "long enough pw", name = "Twin" })));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        await responses.Single(r => r.StatusCode != HttpStatusCode.Created).ErrorAsync(ErrorCodes.EmailTaken);
    }

    [Fact]
    public async Task EmailIsVerifiedWithItsCodeAndWrongCodesCountDown()
    {
        var owner = await server.SignupAsync();
        var wrong = await (await Http.PostAsync("/v1/auth/verify-email", new { code = "000000" }, owner.AccessToken)).ErrorAsync(ErrorCodes.InvalidCode);
        Assert.Equal(4, wrong.GetProperty("details").GetProperty("attempts_left").GetInt32());
        await (await Http.PostAsync("/v1/auth/verify-email", new { code = server.LastCode(owner.Email) }, owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        var me = await (await Http.GetAsync("/v1/me", owner.AccessToken)).OkAsync();
        Assert.True(me.GetProperty("account").GetProperty("email_verified").GetBoolean());
    }

    [Fact]
    public async Task WrongEmailAndWrongPasswordAnswerAlike()
    {
        var owner = await server.SignupAsync();
        var badPassword = await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = "wrong password" })).ErrorAsync(ErrorCodes.Unauthorized);
        var badEmail = await (await Http.PostAsync("/v1/auth/login", new { email = Actors.NewEmail(), password = "wrong password" })).ErrorAsync(ErrorCodes.Unauthorized);
        Assert.Equal(badPassword.GetProperty("message").GetString(), badEmail.GetProperty("message").GetString());
        var ok = await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = owner.Password })).OkAsync();
        await (await Http.GetAsync("/v1/me", ok.GetProperty("access_token").GetString())).OkAsync();
    }

    [Fact]
    public async Task AccessTokensExpireAfterFifteenMinutes()
    {
        var owner = await server.SignupAsync();
        server.Clock.Advance(TimeSpan.FromMinutes(15));
        await (await Http.GetAsync("/v1/me", owner.AccessToken)).ErrorAsync(ErrorCodes.TokenExpired);
    }

    [Fact]
    public async Task ForgedOrMalformedTokensAreInvalidAndMissingOnesUnauthorized()
    {
        var owner = await server.SignupAsync();
        var parts = owner.AccessToken.Split('.');
        var forged = parts[0] + "." + parts[1] + "." + new string('A', parts[2].Length);
        await (await Http.GetAsync("/v1/me", forged)).ErrorAsync(ErrorCodes.InvalidToken);
        await (await Http.GetAsync("/v1/me", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")).ErrorAsync(ErrorCodes.InvalidToken);
        await (await Http.GetAsync("/v1/me", (string?)null)).ErrorAsync(ErrorCodes.Unauthorized);
        await (await Http.GetAsync("/v1/me", "prl_sk_nonsense")).ErrorAsync(ErrorCodes.Unauthorized);
        await (await Http.SendAsync(HttpMethod.Get, "/v1/me", headers: new Dictionary<string, string> { ["Authorization"] = "Basic abc" }))
            .ErrorAsync(ErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task RefreshRotatesAndConcurrentReuseWithinGraceGetsTheSamePair()
    {
        var owner = await server.SignupAsync();
        var pairs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Http.PostAsync("/v1/auth/refresh", new { refresh_token = owner.RefreshToken })));
        var first = await pairs[0].OkAsync();
        var second = await pairs[1].OkAsync();
        Assert.Equal(first.GetProperty("refresh_token").GetString(), second.GetProperty("refresh_token").GetString());
        Assert.Equal(first.GetProperty("access_token").GetString(), second.GetProperty("access_token").GetString());
        Assert.NotEqual(owner.RefreshToken, first.GetProperty("refresh_token").GetString());
        await (await Http.GetAsync("/v1/me", first.GetProperty("access_token").GetString())).OkAsync();

        var next = await (await Http.PostAsync("/v1/auth/refresh", new { refresh_token = first.GetProperty("refresh_token").GetString() })).OkAsync();
        await (await Http.GetAsync("/v1/me", next.GetProperty("access_token").GetString())).OkAsync();
    }

    [Fact]
    public async Task ReusingARotatedTokenAfterTheGraceRevokesTheSession()
    {
        var owner = await server.SignupAsync();
        var rotated = await (await Http.PostAsync("/v1/auth/refresh", new { refresh_token = owner.RefreshToken })).OkAsync();
        server.Clock.Advance(TimeSpan.FromSeconds(11));
        await (await Http.PostAsync("/v1/auth/refresh", new { refresh_token = owner.RefreshToken })).ErrorAsync(ErrorCodes.TokenRevoked);
        // The whole session is gone: the newest tokens too.
        await (await Http.PostAsync("/v1/auth/refresh", new { refresh_token = rotated.GetProperty("refresh_token").GetString() }))
            .ErrorAsync(ErrorCodes.TokenRevoked);
        await (await Http.GetAsync("/v1/me", rotated.GetProperty("access_token").GetString())).ErrorAsync(ErrorCodes.TokenRevoked);
        await (await Http.PostAsync("/v1/auth/refresh", new { refresh_token = "prl_rt_garbage" })).ErrorAsync(ErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task LogoutRevokesThisSessionAndEverywhereRevokesAll()
    {
        var owner = await server.SignupAsync();
        var other = await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = owner.Password })).OkAsync();
        var otherToken = other.GetProperty("access_token").GetString();

        await (await Http.PostAsync("/v1/auth/logout", new { }, owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync("/v1/me", owner.AccessToken)).ErrorAsync(ErrorCodes.TokenRevoked);
        await (await Http.GetAsync("/v1/me", otherToken)).OkAsync();

        await (await Http.PostAsync("/v1/auth/logout", new { everywhere = true }, otherToken)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync("/v1/me", otherToken)).ErrorAsync(ErrorCodes.TokenRevoked);
        await (await Http.PostAsync("/v1/auth/refresh", new { refresh_token = other.GetProperty("refresh_token").GetString() })).ErrorAsync(ErrorCodes.TokenRevoked);
    }

    [Fact]
    public async Task PasswordResetAnswersAlikeForUnknownEmailsAndRevokesEverySession()
    {
        var owner = await server.SignupAsync();
        var unknown = await (await Http.PostAsync("/v1/auth/password-reset", new { email = Actors.NewEmail() })).OkAsync();
        var known = await (await Http.PostAsync("/v1/auth/password-reset", new { email = owner.Email })).OkAsync();
        Assert.Equal(unknown.EnumerateObject().Select(p => p.Name), known.EnumerateObject().Select(p => p.Name));

        // The unknown email's entry can never be completed.
        await (await Http.PostAsync("/v1/auth/password-reset/verify", new { pending_id = unknown.GetProperty("pending_id").GetString(), code = "123456", new_password = "a brand new password" }))
            .ErrorAsync(ErrorCodes.InvalidCode);

        await (await Http.PostAsync("/v1/auth/password-reset/verify", new
        {
            pending_id = known.GetProperty("pending_id").GetString(),
            code = server.LastCode(owner.Email),
            new_password = "a brand new password",
        })).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync("/v1/me", owner.AccessToken)).ErrorAsync(ErrorCodes.TokenRevoked);
        await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = owner.Password })).ErrorAsync(ErrorCodes.Unauthorized);
        await (await Http.PostAsync("/v1/auth/login", new { email = owner.Email, password = "a brand new password" })).OkAsync();
    }

    [Fact]
    public async Task CodesExpireAfterTenMinutesAndTheFifthWrongOneBurnsTheEntry()
    {
        var owner = await server.SignupAsync();
        var pending = (await (await Http.PostAsync("/v1/auth/password-reset", new { email = owner.Email })).OkAsync()).GetProperty("pending_id").GetString();
        for (var left = 4; left >= 1; left--)
        {
            var error = await (await Http.PostAsync("/v1/auth/password-reset/verify", new { pending_id = pending, code = "999999", new_password = "a brand new password" }))
                .ErrorAsync(ErrorCodes.InvalidCode);
            Assert.Equal(left, error.GetProperty("details").GetProperty("attempts_left").GetInt32());
        }
        await (await Http.PostAsync("/v1/auth/password-reset/verify", new { pending_id = pending, code = "999999", new_password = "a brand new password" }))
            .ErrorAsync(ErrorCodes.OtpAttemptsExhausted);
        await (await Http.PostAsync("/v1/auth/password-reset/verify", new { pending_id = pending, code = server.LastCode(owner.Email), new_password = "a brand new password" }))
            .ErrorAsync(ErrorCodes.InvalidCode);

        server.Clock.Advance(TimeSpan.FromMinutes(2));
        var again = (await (await Http.PostAsync("/v1/auth/password-reset", new { email = owner.Email })).OkAsync()).GetProperty("pending_id").GetString();
        server.Clock.Advance(TimeSpan.FromMinutes(10));
        await (await Http.PostAsync("/v1/auth/password-reset/verify", new { pending_id = again, code = server.LastCode(owner.Email), new_password = "a brand new password" }))
            .ErrorAsync(ErrorCodes.CodeExpired);
    }

    [Fact]
    public async Task PersonalAccessTokensActAsTheOwnerUntilDeleted()
    {
        var owner = await server.SignupAsync();
        var created = await (await Http.PostAsync("/v1/me/tokens", new { name = "ci", expires_in_days = 30 }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.Matches("^prl_pat_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}$", secret);
        var me = await (await Http.GetAsync("/v1/me", secret)).OkAsync();
        Assert.Equal(owner.AccountId, me.GetProperty("account").GetProperty("id").GetString());

        var list = await (await Http.GetAsync("/v1/me/tokens", owner.AccessToken)).OkAsync();
        Assert.DoesNotContain(secret[^43..], list.ToString(), StringComparison.Ordinal);
        Assert.Equal(secret[^4..], list.GetProperty("data")[0].GetProperty("last4").GetString());

        await (await Http.PostAsync("/v1/me/tokens", new { name = "too long", expires_in_days = 366 }, owner.AccessToken)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/me/tokens/{created.GetProperty("token").GetProperty("id").GetString()}", token: owner.AccessToken))
            .OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync("/v1/me", secret)).ErrorAsync(ErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task PersonalAccessTokensExpire()
    {
        var owner = await server.SignupAsync();
        var created = await (await Http.PostAsync("/v1/me/tokens", new { name = "short", expires_in_days = 1 }, owner.AccessToken)).OkAsync(HttpStatusCode.Created);
        server.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        await (await Http.GetAsync("/v1/me", created.GetProperty("secret").GetString())).ErrorAsync(ErrorCodes.Unauthorized);
    }
}
