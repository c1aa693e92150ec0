using System.Net;
using System.Security.Cryptography;
using System.Text;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Contract.Fuzz;

/// <summary>
/// The real things generated requests name: credentials of every kind and the ids of what two owners made through the
/// public API (agents, a conversation, a group, a room with a task, a file, an attachment, invitations…). Ids pile up
/// over rebuilds, so requests also name what another owner (or an earlier world) made: those must answer 404.
/// </summary>
public sealed class FuzzWorld
{
    private readonly TestServer _server;
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _earlier = new(StringComparer.Ordinal);

    private FuzzWorld(TestServer server) => _server = server;

    /// <summary>Credentials by the document's security scheme name (owner, agent, publishable), the first one the main.</summary>
    public Dictionary<string, List<string>> Credentials { get; } = new(StringComparer.Ordinal);

    /// <summary>Credentials that must be refused wherever one is needed: revoked, of a deleted agent, malformed.</summary>
    public List<string> DeadCredentials { get; } = [];

    public string OwnerToken => Credentials["owner"][0];

    public string AgentKey => Credentials["agent"][0];

    public int Builds { get; private set; }

    public static async Task<FuzzWorld> CreateAsync(TestServer server)
    {
        var world = new FuzzWorld(server);
        await world.BuildAsync();
        return world;
    }

    /// <summary>Real values for a parameter or property name (<c>roomId</c>, <c>room_id</c> and <c>room</c> alike); empty when none are known.</summary>
    public IReadOnlyList<string> ValuesFor(string name) =>
        _values.TryGetValue(Normalize(name), out var list) ? list : [];

    /// <summary>Values of earlier worlds (now another owner's, or deleted): requests naming them must find nothing.</summary>
    public IReadOnlyList<string> EarlierValuesFor(string name) =>
        _earlier.TryGetValue(Normalize(name), out var list) ? list : [];

    /// <summary>True while every credential still works as made (a generated request may log out, revoke, delete or suspend).</summary>
    public async Task<bool> IsIntactAsync()
    {
        foreach (var (scheme, credentials) in Credentials)
        {
            foreach (var credential in credentials)
            {
                var probe = scheme switch
                {
                    "owner" => "/v1/me",
                    "agent" => "/v1/agents/me",
                    _ => "/v1/directory?q=zz",
                };
                using var response = await _server.Http.GetAsync(probe, credential);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
                if (scheme == "agent")
                {
                    var view = await response.JsonAsync();
                    if (view.GetProperty("status").GetString() != "active" || view.GetProperty("paused").GetString() != "none")
                    {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /// <summary>A fresh owner, agents and things; what the world held before stays known as earlier values.</summary>
    public async Task BuildAsync()
    {
        Builds++;
        foreach (var list in Credentials.Values)
        {
            list.Clear();
        }
        foreach (var (name, values) in _values)
        {
            if (!_earlier.TryGetValue(name, out var earlier))
            {
                _earlier[name] = earlier = [];
            }
            earlier.AddRange(values.Where(v => !earlier.Contains(v)).Take(50 - earlier.Count));
        }
        _values.Clear();
        var owner = await _server.SignupAsync();
        var a = await _server.CreateAgentAsync(owner);
        var b = await _server.CreateAgentAsync(owner);
        var personal = await _server.PersonalTokenAsync(owner);
        Add("owner", owner.AccessToken, personal, await _server.AdminTokenAsync());
        var (_, publishable) = await CreateKeyAsync(owner, a.Id, "publishable");
        var passport = (await (await _server.Http.PostAsync("/v1/agents/me/passport", new { }, a.ApiKey)).OkAsync()).GetProperty("passport").GetString()!;
        Add("agent", a.ApiKey, passport, b.ApiKey);
        Add("publishable", publishable);

        var (revokedId, revoked) = await CreateKeyAsync(owner, a.Id, "secret");
        await (await _server.Http.SendAsync(HttpMethod.Delete, $"/v1/workspaces/{owner.WorkspaceId}/agents/{a.Id}/keys/{revokedId}", token: owner.AccessToken))
            .OkAsync(HttpStatusCode.NoContent);
        DeadCredentials.Add(revoked);

        // The other owner: what it makes must stay invisible to this world's credentials.
        var stranger = await _server.SignupAsync();
        var c = await _server.CreateAgentAsync(stranger);
        var strangerRoom = await _server.CreateRoomAsync(stranger.AccessToken);

        Value("handle", a.Handle, b.Handle, c.Handle, a.Plate, c.Plate, a.Id);
        Alias("handle", "to", "assignee", "collaborator", "target");
        Value("agentId", a.Id, b.Id, c.Id, b.Handle);
        Value("workspaceId", owner.WorkspaceId, stranger.WorkspaceId);
        Value("accountId", owner.AccountId, stranger.AccountId);
        Value("memberId", a.Id, owner.AccountId, c.Id);
        Value("email", owner.Email, stranger.Email, Actors.NewEmail());
        Value("password", owner.Password, "correct horse battery");
        Value("refreshToken", owner.RefreshToken);
        Value("apiKey", c.ApiKey);
        Value("code", "NOT_FOUND", "VALIDATION_ERROR", "RATE_LIMITED", "AGENT_NOT_FOUND");
        Value("scopes", "read", "write", "upload", "download");
        Value("events", "message.new", "message.read", "group.deleted");
        Value("url", "https://example.test/hook", "http://127.0.0.1:1/hook");

        var first = await _server.SendOkAsync(a, b.Handle, "hello");
        await _server.SendOkAsync(b, a.Handle, "hello back");
        Value("conversationId", first.GetProperty("conversation_id").GetString()!);
        Value("messageId", first.GetProperty("id").GetString()!);
        Value("clientMsgId", first.GetProperty("client_msg_id").GetString()!);
        Value("id", first.GetProperty("conversation_id").GetString()!, first.GetProperty("id").GetString()!);
        var sync = await _server.SyncAsync(b);
        Value("lastDeliveryId", [.. sync.GetProperty("messages").EnumerateArray().Select(d => d.GetProperty("delivery_id").GetString()!)]);
        Alias("lastDeliveryId", "after");

        var group = await (await _server.Http.PostAsync("/v1/groups", new { name = "fuzz group", member_handles = new[] { b.Handle } }, a.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        Value("groupId", group.GetProperty("group").Id());
        Value("conversationId", group.GetProperty("group").Id());

        var room = await _server.CreateRoomAsync(owner.AccessToken);
        await _server.AddMemberAsync(owner.AccessToken, room, a.Id);
        await _server.AddMemberAsync(owner.AccessToken, room, b.Id);
        Value("roomId", room, strangerRoom);
        Alias("roomId", "room");
        var task = await _server.CreateTaskAsync(owner.AccessToken, room);
        var claimed = await _server.CreateTaskAsync(owner.AccessToken, room);
        Value("taskId", task.Id(), claimed.Id());
        Value("claimToken", await _server.ClaimOkAsync(a, claimed.Id()));
        var posted = await (await _server.Http.PostAsync($"/v1/rooms/{room}/messages", new { body = $"hi @{b.Handle}", mentions = new[] { b.Handle } }, a.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        Value("parentId", posted.Id());
        Value("mentionIds", "men_000000000000000000000000");
        var file = await (await _server.Http.SendAsync(HttpMethod.Put, $"/v1/rooms/{room}/files/docs/plan.md", new { content = "# plan" }, a.ApiKey))
            .OkAsync(HttpStatusCode.Created);
        Value("path", "docs/plan.md", "notes.txt", "a/b/c.json");
        Value("fileId", file.GetProperty("file_id").GetString()!);
        // A declared, not yet uploaded empty file: its signed URL's parts let a generated upload succeed.
        var empty = Convert.ToHexStringLower(SHA256.HashData([]));
        var declared = await (await _server.Http.PostAsync($"/v1/rooms/{room}/uploads",
            new { path = "uploads/empty.bin", content_type = "application/octet-stream", size_bytes = 0, sha256 = empty }, a.ApiKey)).OkAsync(HttpStatusCode.Created);
        var signed = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(declared.GetProperty("upload_url").GetString()!).Query);
        Value("fileId", declared.GetProperty("file_id").GetString()!);
        Value("expires", signed["expires"].ToString());
        Value("signature", signed["signature"].ToString());
        var invite = await _server.InviteAsync(owner.AccessToken, room, "human_email", stranger.Email);
        Value("inviteId", invite);

        var bytes = Encoding.UTF8.GetBytes("attached");
        var upload = await (await _server.Http.PostAsync("/v1/uploads", new
        {
            filename = "a.txt", content_type = "text/plain", size_bytes = bytes.Length, sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), to = b.Handle,
        }, a.ApiKey)).OkAsync(HttpStatusCode.Created);
        var uploadUrl = new Uri(upload.GetProperty("upload_url").GetString()!);
        await (await _server.Http.PutAsync(uploadUrl.PathAndQuery, new ByteArrayContent(bytes))).OkAsync();
        Value("fileId", upload.GetProperty("attachment_id").GetString()!);
        Alias("fileId", "attachmentId");
        Value("sha256", Convert.ToHexStringLower(SHA256.HashData(bytes)));

        var mute = await (await _server.Http.PostAsync("/v1/mutes", new { handle = c.Handle }, b.ApiKey)).OkAsync(HttpStatusCode.Created);
        Value("muteId", mute.Id());
        var token = await (await _server.Http.GetAsync("/v1/me/tokens", owner.AccessToken)).OkAsync();
        Value("tokenId", [.. token.GetProperty("data").EnumerateArray().Select(t => t.Id())]);
        var keys = await (await _server.Http.GetAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{a.Id}/keys", owner.AccessToken)).OkAsync();
        Value("keyId", [.. keys.GetProperty("data").EnumerateArray().Select(k => k.Id())]);
    }

    private async Task<(string Id, string ApiKey)> CreateKeyAsync(Owner owner, string agentId, string kind)
    {
        var created = await (await _server.Http.PostAsync($"/v1/workspaces/{owner.WorkspaceId}/agents/{agentId}/keys", new { kind }, owner.AccessToken))
            .OkAsync(HttpStatusCode.Created);
        return (created.GetProperty("key").Id(), created.GetProperty("api_key").GetString()!);
    }

    private void Add(string scheme, params string[] credentials)
    {
        if (!Credentials.TryGetValue(scheme, out var list))
        {
            Credentials[scheme] = list = [];
        }
        list.AddRange(credentials);
    }

    private void Value(string name, params string[] values)
    {
        var key = Normalize(name);
        if (!_values.TryGetValue(key, out var list))
        {
            _values[key] = list = [];
        }
        list.AddRange(values.Where(v => !list.Contains(v)));
    }

    /// <summary>Other names that take the same values (a room's id is <c>roomId</c>, <c>room_id</c> and <c>room</c>).</summary>
    private void Alias(string name, params string[] aliases)
    {
        foreach (var alias in aliases)
        {
            _values[Normalize(alias)] = _values[Normalize(name)];
        }
    }

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
