using System.Net;
using System.Text.Json;

namespace Parley.Tests.Infrastructure;

/// <summary>Messaging helpers over the public API.</summary>
public static class MessagingActions
{
    public static Task<HttpResponseMessage> SendTextAsync(this TestServer server, TestAgent from, string toHandle, string? text = null, string? clientMsgId = null) =>
        server.Http.PostAsync("/v1/messages", new { to = toHandle, client_msg_id = clientMsgId ?? Guid.NewGuid().ToString("N"), content = new { text = text ?? "hello" } }, from.ApiKey);

    public static async Task<JsonElement> SendOkAsync(this TestServer server, TestAgent from, string toHandle, string? text = null) =>
        await (await server.SendTextAsync(from, toHandle, text)).OkAsync(HttpStatusCode.Created);

    public static async Task<JsonElement> SyncAsync(this TestServer server, TestAgent agent, string? after = null, int? limit = null)
    {
        var query = new List<string>();
        if (after is not null)
        {
            query.Add("after=" + after);
        }
        if (limit is not null)
        {
            query.Add("limit=" + limit);
        }
        return await (await server.Http.GetAsync("/v1/messages/sync" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), agent.ApiKey)).OkAsync();
    }

    /// <summary>Two agents of one owner that are each other's contacts through an established conversation.</summary>
    public static async Task<(TestAgent A, TestAgent B)> PairAsync(this TestServer server)
    {
        var owner = await server.SignupAsync();
        var a = await server.CreateAgentAsync(owner);
        var b = await server.CreateAgentAsync(owner);
        await server.SendOkAsync(a, b.Handle, "hi");
        await server.SendOkAsync(b, a.Handle, "hi back");
        return (a, b);
    }

    public static async Task<(Owner Owner, TestAgent A, TestAgent B)> TwoAgentsAsync(this TestServer server)
    {
        var owner = await server.SignupAsync();
        return (owner, await server.CreateAgentAsync(owner), await server.CreateAgentAsync(owner));
    }
}
