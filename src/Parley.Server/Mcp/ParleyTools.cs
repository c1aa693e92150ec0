using System.ComponentModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Parley.Contracts.Errors;
using Parley.Contracts.Gateway;
using Parley.Contracts.Json;
using Parley.Contracts.Messaging;
using Parley.Contracts.Rooms;
using Parley.Server.Data;
using Parley.Server.Gateway.Calls;
using Parley.Server.Gateway.Sites;
using Parley.Server.Identity;
using Parley.Server.Identity.Auth;
using Parley.Server.Messaging.Direct;
using Parley.Server.Platform.Errors;
using Parley.Server.Rooms.Board;
using Parley.Server.Rooms.Membership;
using Parley.Server.Rooms.Thread;

namespace Parley.Server.Mcp;

/// <summary>
/// The MCP tools (surfaces.md), each a thin call into the service its REST route calls, as the calling agent (the
/// request's credential). Every result carries the REST JSON as <c>structuredContent</c>, a text rendering, and
/// <c>_meta.pending_mentions</c>; a catalog error is a result with <c>isError</c> and the envelope.
/// </summary>
[McpServerToolType]
internal sealed class ParleyTools(IHttpContextAccessor http, IServiceProvider services)
{
    private Caller Caller => http.HttpContext!.Caller();

    private CancellationToken Aborted => http.HttpContext!.RequestAborted;

    private T Service<T>() where T : notnull => services.GetRequiredService<T>();

    [McpServerTool(Name = "whoami", ReadOnly = true), Description("The calling agent: its id, handle, plate, owner's workspace and scopes.")]
    public Task<CallToolResult> WhoAmIAsync() => AnswerAsync(() => Task.FromResult<object>(Caller.Agent!.ToView()));

    [McpServerTool(Name = "check_mentions", ReadOnly = true), Description("Mentions of this agent not yet acknowledged, oldest first (optionally of one room).")]
    public Task<CallToolResult> CheckMentionsAsync([Description("A room id, to see only its mentions.")] string? room = null,
        [Description("At most this many (1-100).")] int? limit = null) =>
        AnswerAsync(async () => await Service<RoomMessageService>().MentionsAsync(Caller, room, null, limit, null, Aborted), "room-read");

    [McpServerTool(Name = "ack_mentions"), Description("Acknowledge mentions: by their ids, or every one of a room up to a sequence number.")]
    public Task<CallToolResult> AckMentionsAsync([Description("Mention ids.")] string[]? mention_ids = null, [Description("A room id.")] string? room = null,
        [Description("With room: the last mention sequence number handled.")] long? last_mention_seq = null) =>
        AnswerAsync(async () => await Service<RoomMessageService>().AckAsync(Caller, new AckMentionsRequest(mention_ids, room, last_mention_seq), Aborted), "room-write");

    [McpServerTool(Name = "list_rooms", ReadOnly = true), Description("The rooms this agent is a member of.")]
    public Task<CallToolResult> ListRoomsAsync([Description("At most this many (1-100).")] int? limit = null, [Description("The next page's cursor.")] string? cursor = null) =>
        AnswerAsync(async () => await Service<RoomService>().ListAsync(Caller, limit, cursor, Aborted));

    [McpServerTool(Name = "read_room", ReadOnly = true), Description("A room's thread, ascending by sequence number.")]
    public Task<CallToolResult> ReadRoomAsync([Description("The room id.")] string room, [Description("At most this many (1-100).")] int? limit = null,
        [Description("Only messages after this sequence number.")] long? after_seq = null) =>
        AnswerAsync(async () => await Service<RoomMessageService>().HistoryAsync(Caller, room, limit, null, after_seq, Aborted), "room-read");

    [McpServerTool(Name = "send_message"), Description("Post a message in a room, mentioning agents by handle.")]
    public Task<CallToolResult> SendMessageAsync([Description("The room id.")] string room, [Description("The text.")] string body,
        [Description("Handles to mention.")] string[]? mentions = null) =>
        AnswerAsync(async () => await Service<RoomMessageService>().PostAsync(Caller, room, new PostRoomMessageRequest(body, mentions), Aborted), "room-write");

    [McpServerTool(Name = "read_board", ReadOnly = true), Description("A room's tasks.")]
    public Task<CallToolResult> ReadBoardAsync([Description("The room id.")] string room, [Description("Only tasks of this status.")] string? status = null) =>
        AnswerAsync(async () => await Service<TaskService>().ListAsync(Caller, room, status, null, null, null, Aborted), "room-read");

    [McpServerTool(Name = "claim_task"), Description("Claim a task: its lease and claim token. A task someone holds answers already_claimed.")]
    public Task<CallToolResult> ClaimTaskAsync([Description("The task id.")] string task, [Description("This instance's id (several instances of one agent).")] string? instance_id = null) =>
        AnswerAsync(async () => await Service<TaskLeaseService>().ClaimAsync(Caller, task, new ClaimTaskRequest(instance_id), Aborted), "room-write");

    [McpServerTool(Name = "list_members", ReadOnly = true), Description("A room's members.")]
    public Task<CallToolResult> ListMembersAsync([Description("The room id.")] string room) =>
        AnswerAsync(async () => await Service<RoomService>().MembersAsync(Caller, room, Aborted), "room-read");

    [McpServerTool(Name = "resolve_handle", ReadOnly = true), Description("An agent's public profile by handle.")]
    public Task<CallToolResult> ResolveHandleAsync([Description("The handle.")] string handle) =>
        AnswerAsync(async () => await Service<Identity.Agents.AgentSelfService>().GetPublicAsync(handle.TrimStart('@'), Aborted));

    [McpServerTool(Name = "create_task"), Description("Create a task on a room's board, optionally assigned to an agent.")]
    public Task<CallToolResult> CreateTaskAsync([Description("The room id.")] string room, [Description("The title.")] string title,
        [Description("What to do.")] string? detail = null, [Description("When it is done.")] string? definition_of_done = null,
        [Description("An agent's handle or plate.")] string? assignee = null) =>
        AnswerAsync(async () => await Service<TaskService>().CreateAsync(Caller, room, new CreateTaskRequest(title, detail, definition_of_done, assignee), Aborted), "room-write");

    [McpServerTool(Name = "assign_task"), Description("Assign a task to an agent (empty to unassign).")]
    public Task<CallToolResult> AssignTaskAsync([Description("The task id.")] string task, [Description("An agent's handle or plate; empty unassigns.")] string assignee) =>
        AnswerAsync(async () => await Service<TaskService>().UpdateAsync(Caller, task,
            new UpdateTaskRequest { Assignee = JsonSerializer.SerializeToElement(assignee) }, Aborted), "room-write");

    [McpServerTool(Name = "update_task"), Description("Change a task's title, detail or definition of done.")]
    public Task<CallToolResult> UpdateTaskAsync([Description("The task id.")] string task, string? title = null, string? detail = null, string? definition_of_done = null) =>
        AnswerAsync(async () => await Service<TaskService>().UpdateAsync(Caller, task, new UpdateTaskRequest(title, detail, definition_of_done), Aborted), "room-write");

    [McpServerTool(Name = "renew_lease"), Description("Renew the lease of a task this agent holds.")]
    public Task<CallToolResult> RenewLeaseAsync([Description("The task id.")] string task, [Description("The claim token.")] string claim_token) =>
        AnswerAsync(async () => Lease(await Service<TaskLeaseService>().RenewAsync(Caller, task, new ClaimTokenRequest(claim_token), Aborted)), "lease-renew");

    [McpServerTool(Name = "release_task"), Description("Give a held task back to the board.")]
    public Task<CallToolResult> ReleaseTaskAsync([Description("The task id.")] string task, [Description("The claim token.")] string claim_token) =>
        AnswerAsync(async () => Lease(await Service<TaskLeaseService>().ReleaseAsync(Caller, task, new ClaimTokenRequest(claim_token), Aborted)), "room-write");

    [McpServerTool(Name = "set_status"), Description("Set a task's status: done, failed, blocked, cancelled or todo.")]
    public Task<CallToolResult> SetStatusAsync([Description("The task id.")] string task, [Description("The new status.")] string status,
        [Description("The claim token (for a held task).")] string? claim_token = null, [Description("What was done.")] string? summary = null) =>
        AnswerAsync(async () => Lease(await Service<TaskLeaseService>().SetStatusAsync(Caller, task, new TaskStatusRequest(status, claim_token, summary), Aborted)), "room-write");

    [McpServerTool(Name = "write_file"), Description("Write a room file (text, or base64 with encoding: base64).")]
    public Task<CallToolResult> WriteFileAsync([Description("The room id.")] string room, [Description("The file's path.")] string path,
        [Description("The content.")] string content, [Description("utf-8 or base64.")] string? encoding = null) =>
        AnswerAsync(async () => await Service<Rooms.Files.RoomFileService>().WriteAsync(Caller, room, path, new WriteRoomFileRequest(content, encoding), Aborted), "room-write");

    [McpServerTool(Name = "read_file", ReadOnly = true), Description("A room file's content (the latest version, or a given one): text, or base64 when it is not UTF-8. At most 1 MiB.")]
    public Task<CallToolResult> ReadFileAsync([Description("The room id.")] string room, [Description("The file's path.")] string path,
        [Description("A version number.")] long? version = null) =>
        AnswerAsync(async () =>
        {
            var files = Service<Rooms.Files.RoomFileService>();
            var file = await files.FindAsync(Caller, room, path, version, Aborted);
            if (file.SizeBytes > MaxReadBytes)
            {
                throw ApiErrors.TooLarge(MaxReadBytes, $"read_file returns at most {MaxReadBytes} bytes; download larger files over GET /v1/rooms/{{room}}/files/{{path}}.");
            }
            await using var stream = files.OpenRead(file);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, Aborted);
            var bytes = buffer.ToArray();
            var text = System.Text.Unicode.Utf8.IsValid(bytes);
            return new
            {
                path, content_type = file.ContentType, size_bytes = file.SizeBytes, sha256 = file.Sha256,
                encoding = text ? "utf-8" : "base64", content = text ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes),
            };
        }, "room-read");

    private const int MaxReadBytes = 1024 * 1024;

    [McpServerTool(Name = "list_files", ReadOnly = true), Description("A room's files.")]
    public Task<CallToolResult> ListFilesAsync([Description("The room id.")] string room) =>
        AnswerAsync(async () => await Service<Rooms.Files.RoomFileService>().ListAsync(Caller, room, null, null, Aborted), "room-read");

    [McpServerTool(Name = "sync_messages", ReadOnly = true), Description("Direct and group messages delivered and not yet acknowledged, oldest first.")]
    public Task<CallToolResult> SyncMessagesAsync([Description("Only deliveries after this one.")] string? after = null, [Description("At most this many.")] int? limit = null) =>
        AnswerAsync(async () => await Service<Messaging.Deliveries.DeliveryService>().SyncAsync(Caller.Id, after, limit, Aborted));

    [McpServerTool(Name = "ack_messages"), Description("Acknowledge every delivery up to and including this one.")]
    public Task<CallToolResult> AckMessagesAsync([Description("The last delivery handled.")] string last_delivery_id) =>
        AnswerAsync(async () => await Service<Messaging.Deliveries.DeliveryService>().AckAsync(Caller.Id, last_delivery_id, Aborted));

    [McpServerTool(Name = "send_direct_message"), Description("Send a direct message to an agent by handle.")]
    public Task<CallToolResult> SendDirectMessageAsync([Description("The recipient's handle.")] string to, [Description("The text.")] string text,
        [Description("Your id for this message (repeating it sends nothing twice).")] string? client_msg_id = null) =>
        AnswerAsync(async () => (await Service<SendService>().SendAsync(Caller, new SendMessageRequest(to, null, client_msg_id ?? "mcp_" + Guid.NewGuid().ToString("N"), "text")
        {
            Content = JsonSerializer.SerializeToElement(new { text }),
        }, Aborted)).Message, "agent-send");

    [McpServerTool(Name = "http_request", OpenWorld = true), Description("A governed HTTP call through Parley's gateway: the workspace's rules apply and its vault's credentials are injected.")]
    public Task<CallToolResult> HttpRequestAsync([Description("GET, POST, …")] string method, [Description("An absolute http(s) URL.")] string url,
        [Description("Request headers.")] Dictionary<string, string>? headers = null, [Description("A text body.")] string? body = null) =>
        AnswerAsync(async () =>
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
            {
                throw new ApiException(ErrorCodes.InvalidUrl, "The URL must be absolute, http:// or https://.", ApiErrors.Details(("field", "url")));
            }
            var outcome = await Service<GovernedCalls>().CallAsync(Caller, new OutboundRequest(method.ToUpperInvariant(), target,
                [.. (headers ?? []).Select(h => new KeyValuePair<string, string>(h.Key, h.Value))], Encoding.UTF8.GetBytes(body ?? "")),
                new CallSettings(CallVia.Api), Aborted);
            return new
            {
                status = outcome.Response.Status, body = Encoding.UTF8.GetString(outcome.Response.Body), injected = outcome.Injected, log_id = outcome.LogId,
            };
        });

    [McpServerTool(Name = "list_site_tools", ReadOnly = true), Description("The sites of this agent's workspace and the tools they publish.")]
    public Task<CallToolResult> ListSiteToolsAsync() =>
        AnswerAsync(async () => Caller.Agent!.OwnerWorkspaceId is { } workspace ? await Service<SiteService>().ListAsync(workspace, Aborted) : new SiteList([]));

    [McpServerTool(Name = "call_site_tool", OpenWorld = true), Description("Call a site's tool with arguments (checked against its schema) as a governed call.")]
    public Task<CallToolResult> CallSiteToolAsync([Description("The site id.")] string site, [Description("The tool's name.")] string tool,
        [Description("The arguments, as the tool's schema says.")] JsonElement? arguments = null) =>
        AnswerAsync(async () => await Service<SiteService>().CallToolAsync(Caller, site, tool, new ToolCallRequest(arguments), Aborted));

    /// <summary>A lease operation's answer: its value, or the refusal it committed with.</summary>
    private static object Lease<T>(Rooms.Board.LeaseOutcome<T> outcome) where T : class => outcome.Rejection is { } rejection ? throw rejection : outcome.Value!;

    /// <summary>Runs a tool's call: the answer (or the catalog error) as a result, with the agent's pending mentions in <c>_meta</c>.</summary>
    private async Task<CallToolResult> AnswerAsync(Func<Task<object>> call, string? ratePolicy = null)
    {
        JsonNode? structured;
        var isError = false;
        try
        {
            if (ratePolicy is not null)
            {
                // The agent's own rate limits, as on the REST route the tool stands for.
                var options = Service<Microsoft.Extensions.Options.IOptionsMonitor<Platform.ParleyOptions>>().CurrentValue;
                Service<Platform.RateLimiting.RateLimits>().Enforce(ratePolicy, Platform.Http.CallerKeys.Of(http.HttpContext!, options));
            }
            structured = JsonSerializer.SerializeToNode(await call(), ParleyJson.Options);
        }
        catch (ApiException e)
        {
            isError = true;
            structured = JsonSerializer.SerializeToNode(ErrorWriter.Envelope(e, http.HttpContext!.TraceIdentifier, null), ParleyJson.Options);
        }
        var text = structured?.ToJsonString() ?? "null";
        if (isError && structured?["error"]?["code"]?.GetValue<string>() == ErrorCodes.TaskAlreadyClaimed)
        {
            text = "already_claimed: " + text;
        }
        var pending = await PendingMentionsAsync();
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = structured is JsonObject ? structured.AsObject().Deserialize<JsonElement>() : JsonSerializer.SerializeToElement(new { value = structured }),
            IsError = isError,
            Meta = new JsonObject { ["pending_mentions"] = pending },
        };
    }

    private async Task<long> PendingMentionsAsync()
    {
        var agentId = Caller.Agent?.Id;
        return agentId is null ? 0 : await Service<ParleyDb>().Mentions.AsNoTracking().LongCountAsync(m => m.AgentId == agentId && m.AckedAt == null, Aborted);
    }
}
