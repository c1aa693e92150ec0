using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Identity;

public sealed class RegistrationTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task RegistrationByEmailCodeMakesAnUnclaimedAgent()
    {
        var email = Actors.NewEmail("agent");
        var handle = Actors.NewHandle("r");
        var pending = await (await Http.PostAsync("/v1/register", new { email, handle, display_name = "Self" })).OkAsync();
        Assert.Equal(600, pending.GetProperty("expires_in").GetInt32());
        var created = await (await Http.PostAsync("/v1/register/verify",
            new { pending_id = pending.GetProperty("pending_id").GetString(), code = server.LastCode(email) })).OkAsync(HttpStatusCode.Created);
        var agent = created.GetProperty("agent");
        Assert.Equal(handle, agent.GetProperty("handle").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, agent.GetProperty("owner_workspace_id").ValueKind);
        await (await Http.GetAsync("/v1/agents/me", created.GetProperty("api_key").GetString())).OkAsync();
    }

    [Fact]
    public async Task ResendingWithinAMinuteIsRateLimitedThenSendsANewCode()
    {
        var email = Actors.NewEmail("agent");
        var first = await (await Http.PostAsync("/v1/register", new { email, handle = Actors.NewHandle("r") })).OkAsync();
        await (await Http.PostAsync("/v1/register", new { email, handle = Actors.NewHandle("r") })).ErrorAsync(ErrorCodes.RateLimited);
        server.Clock.Advance(TimeSpan.FromSeconds(61));
        var second = await (await Http.PostAsync("/v1/register", new { email, handle = Actors.NewHandle("r") })).OkAsync();
        Assert.Equal(first.GetProperty("pending_id").GetString(), second.GetProperty("pending_id").GetString());
        Assert.Equal(2, server.MailCount(email));
    }

    [Fact]
    public async Task OneActiveAgentPerEmailAndThreeRegistrationsInALifetime()
    {
        var owner = await server.SignupAsync();
        await server.CreateAgentAsync(owner); // the workspace default, so claimed agents can be deleted
        var email = Actors.NewEmail("agent");
        for (var i = 0; i < 3; i++)
        {
            var agent = await server.RegisterAgentAsync(email);
            await (await Http.PostAsync("/v1/register", new { email, handle = Actors.NewHandle("r") })).ErrorAsync(ErrorCodes.EmailTaken);
            await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/claims", new { api_key = agent.ApiKey }, owner.AccessToken)).OkAsync();
            await (await Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}", token: owner.AccessToken)).OkAsync(HttpStatusCode.NoContent);
            server.Clock.Advance(TimeSpan.FromSeconds(61));
        }
        await (await Http.PostAsync("/v1/register", new { email, handle = Actors.NewHandle("r") })).ErrorAsync(ErrorCodes.EmailExhausted);
    }

    [Fact]
    public async Task TwoRegistrationsRacingForOneHandleGiveOneAgent()
    {
        var handle = Actors.NewHandle("race");
        var emails = new[] { Actors.NewEmail("agent"), Actors.NewEmail("agent") };
        var pendings = new List<string>();
        foreach (var email in emails)
        {
            pendings.Add((await (await Http.PostAsync("/v1/register", new { email, handle })).OkAsync()).GetProperty("pending_id").GetString()!);
        }
        var responses = await Task.WhenAll(emails.Select((email, i) =>
            Http.PostAsync("/v1/register/verify", new { pending_id = pendings[i], code = server.LastCode(email) })));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        await responses.Single(r => r.StatusCode != HttpStatusCode.Created).ErrorAsync(ErrorCodes.HandleTaken);
    }

    [Fact]
    public async Task RegisteringATakenHandleIsRefusedAtOnce()
    {
        var agent = await server.RegisterAgentAsync();
        await (await Http.PostAsync("/v1/register", new { email = Actors.NewEmail("agent"), handle = agent.Handle })).ErrorAsync(ErrorCodes.HandleTaken);
        await (await Http.PostAsync("/v1/register", new { email = Actors.NewEmail("agent"), handle = "root" })).ErrorAsync(ErrorCodes.InvalidHandle);
    }

    [Fact]
    public async Task RecoveryAnswersAlikeForUnknownEmailsGivesANewKeyAndIsCappedPerHour()
    {
        var email = Actors.NewEmail("agent");
        var agent = await server.RegisterAgentAsync(email);
        var unknown = await (await Http.PostAsync("/v1/agents/recover", new { email = Actors.NewEmail("nobody") })).OkAsync();
        var known = await (await Http.PostAsync("/v1/agents/recover", new { email })).OkAsync();
        Assert.Equal(unknown.EnumerateObject().Select(p => p.Name), known.EnumerateObject().Select(p => p.Name));

        var recovered = await (await Http.PostAsync("/v1/agents/recover/verify",
            new { pending_id = known.GetProperty("pending_id").GetString(), code = server.LastCode(email) })).OkAsync();
        Assert.Equal(agent.Handle, recovered.GetProperty("handle").GetString());
        await (await Http.GetAsync("/v1/agents/me", recovered.GetProperty("api_key").GetString())).OkAsync();
        await (await Http.GetAsync("/v1/agents/me", agent.ApiKey)).ErrorAsync(ErrorCodes.Revoked);

        await (await Http.PostAsync("/v1/agents/recover", new { email })).OkAsync();
        await (await Http.PostAsync("/v1/agents/recover", new { email })).OkAsync();
        var capped = await (await Http.PostAsync("/v1/agents/recover", new { email })).ErrorAsync(ErrorCodes.RateLimited);
        Assert.Equal(3, capped.GetProperty("details").GetProperty("limit").GetInt32());
        server.Clock.Advance(TimeSpan.FromHours(1));
        await (await Http.PostAsync("/v1/agents/recover", new { email })).OkAsync();
    }

    [Fact]
    public async Task RotationGivesANewKeyKillsTheOldAndReleasesAClaim()
    {
        var owner = await server.SignupAsync();
        var email = Actors.NewEmail("agent");
        var agent = await server.RegisterAgentAsync(email);
        await (await Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/claims", new { api_key = agent.ApiKey }, owner.AccessToken)).OkAsync();

        var pending = await (await Http.PostAsync("/v1/agents/me/rotate-key", new { }, agent.ApiKey)).OkAsync();
        var wrong = await (await Http.PostAsync("/v1/agents/me/rotate-key/verify", new { pending_id = pending.GetProperty("pending_id").GetString(), code = "000000" }, agent.ApiKey))
            .ErrorAsync(ErrorCodes.InvalidCode);
        Assert.Equal(4, wrong.GetProperty("details").GetProperty("attempts_left").GetInt32());
        var rotated = await (await Http.PostAsync("/v1/agents/me/rotate-key/verify",
            new { pending_id = pending.GetProperty("pending_id").GetString(), code = server.LastCode(email) }, agent.ApiKey)).OkAsync();
        var newKey = rotated.GetProperty("api_key").GetString();
        await (await Http.GetAsync("/v1/agents/me", agent.ApiKey)).ErrorAsync(ErrorCodes.Revoked);
        var me = await (await Http.GetAsync("/v1/agents/me", newKey)).OkAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, me.GetProperty("owner_workspace_id").ValueKind);
        await (await Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agent.Id}", owner.AccessToken)).ErrorAsync(ErrorCodes.AgentNotFound);

        var ownerCreated = await server.CreateAgentAsync(owner);
        var noEmail = await (await Http.PostAsync("/v1/agents/me/rotate-key", new { }, ownerCreated.ApiKey)).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("no_email", noEmail.GetProperty("details").GetProperty("reason").GetString());
    }
}

public sealed class RegistrationDisabledServer : TestServer
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Registration:Enabled"] = "false";
        settings["Limits:Rates:register:Limit"] = "2";
        settings["Limits:Rates:register:WindowSeconds"] = "3600";
    }
}

public sealed class RegistrationDisabledTests(RegistrationDisabledServer server) : IClassFixture<RegistrationDisabledServer>
{
    [Fact]
    public async Task TurnedOffRegistrationIsForbiddenAndPerIpLimitsStillApply()
    {
        var error = await (await server.Http.PostAsync("/v1/register", new { email = Actors.NewEmail(), handle = Actors.NewHandle() })).ErrorAsync(ErrorCodes.Forbidden);
        Assert.Equal("registration_disabled", error.GetProperty("details").GetProperty("reason").GetString());
        await (await server.Http.PostAsync("/v1/register", new { email = Actors.NewEmail(), handle = Actors.NewHandle() })).ErrorAsync(ErrorCodes.Forbidden);
        var limited = await server.Http.PostAsync("/v1/register", new { email = Actors.NewEmail(), handle = Actors.NewHandle() });
        var details = (await limited.ErrorAsync(ErrorCodes.RateLimited)).GetProperty("details");
        Assert.Equal(3600, details.GetProperty("window_seconds").GetInt32());
    }
}
