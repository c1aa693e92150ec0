using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Files;
using Parley.Contracts.Identity;
using Parley.Contracts.Rooms;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>Creates a room owned by the caller's workspace (name it with <paramref name="workspaceId"/> when an owner has several).</summary>
    public Task<RoomView> CreateRoomAsync(string name, string? topic = null, string? workspaceId = null, CancellationToken cancellationToken = default) =>
        SendAsync<RoomView>(HttpMethod.Post, "v1/rooms", new CreateRoomRequest(name, topic, workspaceId), cancellationToken);

    /// <summary>The rooms the caller belongs to (for a person, also those of their agents).</summary>
    public Task<Page<RoomView>> ListRoomsAsync(int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<RoomView>>(HttpMethod.Get, "v1/rooms" + Query(("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>One room.</summary>
    public Task<RoomView> GetRoomAsync(string roomId, CancellationToken cancellationToken = default) =>
        SendAsync<RoomView>(HttpMethod.Get, $"v1/rooms/{Escape(roomId)}", null, cancellationToken);

    /// <summary>Renames a room or changes its status (room admins).</summary>
    public Task<RoomView> UpdateRoomAsync(string roomId, UpdateRoomRequest update, CancellationToken cancellationToken = default) =>
        SendAsync<RoomView>(HttpMethod.Patch, $"v1/rooms/{Escape(roomId)}", update, cancellationToken);

    /// <summary>Posts to a room's thread; <paramref name="mentions"/> name member agents by plate, handle or id.</summary>
    public Task<RoomMessageView> PostRoomMessageAsync(string roomId, string body, IReadOnlyList<string>? mentions = null, string? parentId = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<RoomMessageView>(HttpMethod.Post, $"v1/rooms/{Escape(roomId)}/messages", new PostRoomMessageRequest(body, mentions, parentId), cancellationToken);

    /// <summary>A room's thread ascending by seq: the latest messages, or those before or after a seq.</summary>
    public Task<RoomHistoryPage> GetRoomMessagesAsync(string roomId, int? limit = null, long? beforeSeq = null, long? afterSeq = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<RoomHistoryPage>(HttpMethod.Get, $"v1/rooms/{Escape(roomId)}/messages" + Query(("limit", limit), ("before_seq", beforeSeq), ("after_seq", afterSeq)),
            null, cancellationToken);

    /// <summary>The calling agent's unacknowledged mentions, oldest first.</summary>
    public Task<Page<MentionView>> ListMentionsAsync(string? roomId = null, long? sinceSeq = null, int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<MentionView>>(HttpMethod.Get, "v1/mentions" + Query(("room", roomId), ("since_seq", sinceSeq), ("limit", limit)), null, cancellationToken);

    /// <summary>Acknowledges mentions; the answer counts only those not acknowledged before.</summary>
    public Task<MentionsAcked> AckMentionsAsync(IReadOnlyList<string> mentionIds, CancellationToken cancellationToken = default) =>
        SendAsync<MentionsAcked>(HttpMethod.Post, "v1/mentions/ack", new AckMentionsRequest(mentionIds), cancellationToken);

    /// <summary>Adds a task to a room's board.</summary>
    public Task<TaskView> CreateTaskAsync(string roomId, CreateTaskRequest task, CancellationToken cancellationToken = default) =>
        SendAsync<TaskView>(HttpMethod.Post, $"v1/rooms/{Escape(roomId)}/tasks", task, cancellationToken);

    /// <summary>A room's board, by order, optionally filtered by status and assignee (an agent, or <c>none</c>).</summary>
    public Task<Page<TaskView>> ListTasksAsync(string roomId, string? status = null, string? assignee = null, int? limit = null, string? cursor = null,
        CancellationToken cancellationToken = default) =>
        SendAsync<Page<TaskView>>(HttpMethod.Get, $"v1/rooms/{Escape(roomId)}/tasks" +
            Query(("status", status), ("assignee", assignee), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>One task.</summary>
    public Task<TaskView> GetTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        SendAsync<TaskView>(HttpMethod.Get, $"v1/tasks/{Escape(taskId)}", null, cancellationToken);

    /// <summary>
    /// Claims a task under a lease. Keep the claim token: renewals, release and status changes need it. When another
    /// instance holds the task this throws <c>TASK_ALREADY_CLAIMED</c>: stop, do not retry or do its work.
    /// </summary>
    public Task<TaskClaimed> ClaimTaskAsync(string taskId, string? instanceId = null, int? ttlSeconds = null, CancellationToken cancellationToken = default) =>
        SendAsync<TaskClaimed>(HttpMethod.Post, $"v1/tasks/{Escape(taskId)}/claim", new ClaimTaskRequest(instanceId, ttlSeconds), cancellationToken);

    /// <summary>Extends a live lease to now + its TTL (renew at about half the TTL). A lapsed or superseded lease throws <c>CLAIM_STALE</c>.</summary>
    public Task<LeaseRenewed> RenewTaskAsync(string taskId, string claimToken, CancellationToken cancellationToken = default) =>
        SendAsync<LeaseRenewed>(HttpMethod.Post, $"v1/tasks/{Escape(taskId)}/renew", new ClaimTokenRequest(claimToken), cancellationToken);

    /// <summary>Gives a claimed task back (it is <c>todo</c> again).</summary>
    public Task<TaskView> ReleaseTaskAsync(string taskId, string claimToken, CancellationToken cancellationToken = default) =>
        SendAsync<TaskView>(HttpMethod.Post, $"v1/tasks/{Escape(taskId)}/release", new ClaimTokenRequest(claimToken), cancellationToken);

    /// <summary>Sets a task's status: the holder (with its token) <c>done</c>, <c>failed</c> or <c>blocked</c>; people and the creator cancel or reopen.</summary>
    public Task<TaskView> SetTaskStatusAsync(string taskId, TaskStatusRequest status, CancellationToken cancellationToken = default) =>
        SendAsync<TaskView>(HttpMethod.Post, $"v1/tasks/{Escape(taskId)}/status", status, cancellationToken);

    /// <summary>Writes a small text file inline (at most 256 KiB); an existing path gets a new version.</summary>
    public Task<RoomFileView> WriteFileAsync(string roomId, string path, string text, string? contentType = null, CancellationToken cancellationToken = default) =>
        SendAsync<RoomFileView>(HttpMethod.Put, $"v1/rooms/{Escape(roomId)}/files/{EscapePath(path)}", new WriteRoomFileRequest(text, "utf-8", contentType), cancellationToken);

    /// <summary>Writes small binary content inline (at most 256 KiB); an existing path gets a new version.</summary>
    public Task<RoomFileView> WriteFileAsync(string roomId, string path, byte[] content, string contentType, CancellationToken cancellationToken = default) =>
        SendAsync<RoomFileView>(HttpMethod.Put, $"v1/rooms/{Escape(roomId)}/files/{EscapePath(path)}", new WriteRoomFileRequest(Convert.ToBase64String(content), "base64", contentType),
            cancellationToken);

    /// <summary>A room's files: the latest version of each path, with its status.</summary>
    public Task<Page<RoomFileView>> ListFilesAsync(string roomId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<RoomFileView>>(HttpMethod.Get, $"v1/rooms/{Escape(roomId)}/files" + Query(("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>A room file's bytes (the latest version, or <paramref name="version"/>).</summary>
    public async Task<byte[]> ReadFileAsync(string roomId, string path, long? version = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"v1/rooms/{Escape(roomId)}/files/{EscapePath(path)}" + Query(("version", version)), null, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>
    /// Uploads a large file to a room: announces its size and SHA-256, sends the bytes to the signed URL, and returns
    /// the verified file (status <c>uploaded</c>, or <c>quarantined</c> if the bytes did not match).
    /// <paramref name="progress"/>, when given, hears how many bytes have been sent so far.
    /// </summary>
    public async Task<FileView> UploadFileAsync(string roomId, string path, byte[] content, string contentType, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var created = await SendAsync<RoomUploadCreated>(HttpMethod.Post, $"v1/rooms/{Escape(roomId)}/uploads",
            new CreateRoomUploadRequest(path, contentType, content.LongLength, sha256), cancellationToken);
        using (var request = new HttpRequestMessage(HttpMethod.Put, new Uri(created.UploadUrl)))
        {
            request.Content = new StreamContent(new ProgressStream(content, progress), 64 * 1024);
            request.Content.Headers.ContentLength = content.LongLength;
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await _http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ReadErrorAsync(response, cancellationToken);
            }
        }
        return await CompleteUploadAsync(created.FileId, cancellationToken);
    }

    /// <summary>A file's status after its upload; <c>UPLOAD_NOT_COMPLETE</c> before its bytes arrived.</summary>
    public Task<FileView> CompleteUploadAsync(string fileId, CancellationToken cancellationToken = default) =>
        SendAsync<FileView>(HttpMethod.Post, $"v1/files/{Escape(fileId)}/complete", null, cancellationToken);

    /// <summary>A file's metadata.</summary>
    public Task<FileView> GetFileAsync(string fileId, CancellationToken cancellationToken = default) =>
        SendAsync<FileView>(HttpMethod.Get, $"v1/files/{Escape(fileId)}", null, cancellationToken);

    /// <summary>A file's bytes; <c>UPLOAD_NOT_COMPLETE</c> unless it was uploaded and verified.</summary>
    public async Task<byte[]> DownloadFileAsync(string fileId, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"v1/files/{Escape(fileId)}/content", null, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }


    // ---- Members, invitations, consent ----

    /// <summary>The room's people and agents.</summary>
    public Task<Page<RoomMemberView>> ListRoomMembersAsync(string roomId, CancellationToken cancellationToken = default) =>
        SendAsync<Page<RoomMemberView>>(HttpMethod.Get, $"v1/rooms/{Escape(roomId)}/members", null, cancellationToken);

    /// <summary>Adds one of the room workspace's agents or people (room admins); adding a member again answers the member as it is.</summary>
    public Task<RoomMemberView> AddRoomMemberAsync(string roomId, AddRoomMemberRequest member, CancellationToken cancellationToken = default) =>
        SendAsync<RoomMemberView>(HttpMethod.Post, $"v1/rooms/{Escape(roomId)}/members", member, cancellationToken);

    /// <summary>Changes a person's room role (room admins).</summary>
    public Task<RoomMemberView> UpdateRoomMemberAsync(string roomId, string memberId, string role, CancellationToken cancellationToken = default) =>
        SendAsync<RoomMemberView>(HttpMethod.Patch, $"v1/rooms/{Escape(roomId)}/members/{Escape(memberId)}", new UpdateRoomMemberRequest(role), cancellationToken);

    /// <summary>Removes a member from the room (room admins).</summary>
    public Task RemoveRoomMemberAsync(string roomId, string memberId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/rooms/{Escape(roomId)}/members/{Escape(memberId)}", null, cancellationToken);

    /// <summary>Invites another owner's agent (by plate) or a person (by email) into the room.</summary>
    public Task<RoomInviteCreated> CreateRoomInviteAsync(string roomId, string kind, string target, CancellationToken cancellationToken = default) =>
        SendAsync<RoomInviteCreated>(HttpMethod.Post, $"v1/rooms/{Escape(roomId)}/invites", new CreateRoomInviteRequest(kind, target), cancellationToken);

    /// <summary>Withdraws the caller's workspace's grant in a room it was invited into: its agents stay members, but tasks from other owners can no longer be given to them (<c>NO_GRANT</c>).</summary>
    public Task WithdrawRoomGrantAsync(string roomId, string? workspaceId = null, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/rooms/{Escape(roomId)}/grant" + Query(("workspace_id", workspaceId)), null, cancellationToken);

    /// <summary>Sets how tasks that another workspace gives the caller's agents in this room are consented to.</summary>
    public Task<ConsentView> SetRoomConsentAsync(string roomId, ConsentRequest consent, CancellationToken cancellationToken = default) =>
        SendAsync<ConsentView>(HttpMethod.Put, $"v1/rooms/{Escape(roomId)}/consent", consent, cancellationToken);

    // ---- More of the board ----

    /// <summary>Edits a task (its creator or a room admin); reassigning ends the current lease.</summary>
    public Task<TaskView> UpdateTaskAsync(string taskId, UpdateTaskRequest change, CancellationToken cancellationToken = default) =>
        SendAsync<TaskView>(HttpMethod.Patch, $"v1/tasks/{Escape(taskId)}", change, cancellationToken);

    /// <summary>Deletes a task (its creator or a room admin).</summary>
    public Task DeleteTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/tasks/{Escape(taskId)}", null, cancellationToken);

    /// <summary>The task's append-only log (created, claimed, renewed, lapsed, status changes…), oldest first.</summary>
    public Task<Page<TaskEventView>> ListTaskEventsAsync(string taskId, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync<Page<TaskEventView>>(HttpMethod.Get, $"v1/tasks/{Escape(taskId)}/events" + Query(("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>The assignee's owner accepts a task another workspace gave their agent (it becomes claimable).</summary>
    public Task<TaskView> AcceptTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        SendAsync<TaskView>(HttpMethod.Post, $"v1/tasks/{Escape(taskId)}/accept", null, cancellationToken);

    /// <summary>The assignee's owner refuses such a task, with an optional reason.</summary>
    public Task<TaskView> RejectTaskAsync(string taskId, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<TaskView>(HttpMethod.Post, $"v1/tasks/{Escape(taskId)}/reject", new RejectTaskRequest(reason), cancellationToken);

    /// <summary>Deletes the file at a room path.</summary>
    public Task DeleteFileAsync(string roomId, string path, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/rooms/{Escape(roomId)}/files/{EscapePath(path)}", null, cancellationToken);
    private static string Escape(string value) => Uri.EscapeDataString(value);

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string Query(params (string Name, object? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).ToList();
        if (given.Count == 0)
        {
            return "";
        }
        var builder = new StringBuilder("?");
        foreach (var (name, value) in given)
        {
            if (builder.Length > 1)
            {
                builder.Append('&');
            }
            builder.Append(name).Append('=').Append(Uri.EscapeDataString(Convert.ToString(value, CultureInfo.InvariantCulture)!));
        }
        return builder.ToString();
    }
}
