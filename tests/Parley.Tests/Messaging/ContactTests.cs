using System.Net;
using Parley.Contracts.Errors;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Messaging;

public sealed class ContactTests(TestServer server) : IClassFixture<TestServer>
{
    private HttpClient Http => server.Http;

    [Fact]
    public async Task ContactsCarryPrivateNotesAndPageWithTotals()
    {
        var owner = await server.SignupAsync();
        var me = await server.CreateAgentAsync(owner);
        var others = new List<TestAgent>();
        for (var i = 0; i < 3; i++)
        {
            others.Add(await server.CreateAgentAsync(owner));
        }
        var added = await (await Http.PostAsync("/v1/contacts", new { handle = others[0].Handle, notes = "met at the summit" }, me.ApiKey)).OkAsync(HttpStatusCode.Created);
        Assert.Equal(others[0].Plate, added.GetProperty("plate").GetString());
        Assert.Equal("met at the summit", added.GetProperty("notes").GetString());
        await (await Http.PostAsync("/v1/contacts", new { handle = others[0].Handle, notes = "updated" }, me.ApiKey)).OkAsync(HttpStatusCode.OK);
        await (await Http.PostAsync("/v1/contacts", new { handle = others[1].Handle }, me.ApiKey)).OkAsync(HttpStatusCode.Created);
        await (await Http.PostAsync("/v1/contacts", new { handle = others[2].Handle }, me.ApiKey)).OkAsync(HttpStatusCode.Created);

        var page = await (await Http.GetAsync("/v1/contacts?limit=2&offset=1", me.ApiKey)).OkAsync();
        Assert.Equal(3, page.GetProperty("total").GetInt64());
        Assert.Equal(2, page.GetProperty("limit").GetInt32());
        Assert.Equal(1, page.GetProperty("offset").GetInt32());
        Assert.Equal(2, page.GetProperty("data").GetArrayLength());

        Assert.Equal("updated", (await (await Http.GetAsync($"/v1/contacts/{others[0].Handle}", me.ApiKey)).OkAsync()).GetProperty("notes").GetString());
        var edited = await (await Http.SendAsync(HttpMethod.Patch, $"/v1/contacts/{others[0].Handle}", new { notes = "edited" }, me.ApiKey)).OkAsync();
        Assert.Equal("edited", edited.GetProperty("notes").GetString());
        await (await Http.SendAsync(HttpMethod.Patch, $"/v1/contacts/{others[0].Handle}", new { notes = new string('n', 1001) }, me.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        // Notes are private: the other side does not have the contact at all.
        await (await Http.GetAsync($"/v1/contacts/{me.Handle}", others[0].ApiKey)).ErrorAsync(ErrorCodes.NotFound);

        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/contacts/{others[0].Handle}", token: me.ApiKey)).OkAsync(HttpStatusCode.NoContent);
        await (await Http.GetAsync($"/v1/contacts/{others[0].Handle}", me.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/contacts/{others[0].Handle}", token: me.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
        await (await Http.PostAsync("/v1/contacts", new { handle = "nobody-here-at-all" }, me.ApiKey)).ErrorAsync(ErrorCodes.AgentNotFound);
        await (await Http.PostAsync("/v1/contacts", new { handle = me.Handle }, me.ApiKey)).ErrorAsync(ErrorCodes.ValidationError);
        await (await Http.SendAsync(HttpMethod.Delete, $"/v1/contacts/{others[1].Handle}/block", token: me.ApiKey)).ErrorAsync(ErrorCodes.NotFound);
    }
}
