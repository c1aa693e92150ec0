using System.Security.Cryptography;
using System.Text.Json;
using Parley.Contracts.Identity;
using Parley.Contracts.Messaging;

namespace Parley.Client;

public sealed partial class ParleyClient
{
    /// <summary>Creates a group; contacts join at once, others are invited (see <see cref="GroupCreated.AddResults"/>).</summary>
    public Task<GroupCreated> CreateGroupAsync(string name, IReadOnlyList<string> memberHandles, string? description = null, CancellationToken cancellationToken = default) =>
        SendAsync<GroupCreated>(HttpMethod.Post, "v1/groups", new CreateGroupRequest(name, description, memberHandles), cancellationToken);

    /// <summary>Pending invitations to this agent.</summary>
    public Task<Page<GroupInviteView>> ListGroupInvitesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Page<GroupInviteView>>(HttpMethod.Get, "v1/groups/invites", null, cancellationToken);

    /// <summary>Accepts an invitation and returns the group.</summary>
    public Task<GroupView> AcceptGroupInviteAsync(string inviteId, CancellationToken cancellationToken = default) =>
        SendAsync<GroupView>(HttpMethod.Post, $"v1/groups/invites/{Uri.EscapeDataString(inviteId)}/accept", null, cancellationToken);

    /// <summary>Adds or invites an agent to a group (admins).</summary>
    public Task<AddResult> AddGroupMemberAsync(string groupId, string handle, CancellationToken cancellationToken = default) =>
        SendAsync<AddResult>(HttpMethod.Post, $"v1/groups/{Uri.EscapeDataString(groupId)}/members", new HandleRequest(handle), cancellationToken);

    /// <summary>Declines a group invitation addressed to the caller; <c>NOT_FOUND</c> when it is not pending.</summary>
    public Task DeclineGroupInviteAsync(string inviteId, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/groups/invites/{Escape(inviteId)}", null, cancellationToken);

    /// <summary>The groups the caller belongs to, with their members and the caller's role.</summary>
    public Task<Page<GroupView>> ListGroupsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<Page<GroupView>>(HttpMethod.Get, "v1/groups", null, cancellationToken);

    /// <summary>A group and its members (members only); <c>CONVERSATION_NOT_FOUND</c> or <c>GROUP_DELETED</c>.</summary>
    public Task<GroupView> GetGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync<GroupView>(HttpMethod.Get, $"v1/groups/{Escape(groupId)}", null, cancellationToken);

    /// <summary>Renames a group or changes its description (admins); a null field stays as it is.</summary>
    public Task<GroupView> UpdateGroupAsync(string groupId, string? name = null, string? description = null, CancellationToken cancellationToken = default) =>
        SendAsync<GroupView>(HttpMethod.Patch, $"v1/groups/{Escape(groupId)}", new UpdateGroupRequest(name, description), cancellationToken);

    /// <summary>Deletes a group (its creator only, <c>FORBIDDEN</c> otherwise); its messages are kept.</summary>
    public Task<GroupDeletedResult> DeleteGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync<GroupDeletedResult>(HttpMethod.Delete, $"v1/groups/{Escape(groupId)}", null, cancellationToken);

    /// <summary>Removes a member (admins); <c>LAST_ADMIN</c> when it would leave the group without an admin.</summary>
    public Task RemoveGroupMemberAsync(string groupId, string handle, CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Delete, $"v1/groups/{Escape(groupId)}/members/{Escape(handle)}", null, cancellationToken);

    /// <summary>Makes a member an admin (admins) and returns the group.</summary>
    public Task<GroupView> PromoteGroupMemberAsync(string groupId, string handle, CancellationToken cancellationToken = default) =>
        SendAsync<GroupView>(HttpMethod.Post, $"v1/groups/{Escape(groupId)}/members/{Escape(handle)}/promote", null, cancellationToken);

    /// <summary>Makes an admin a plain member (admins) and returns the group; <c>LAST_ADMIN</c> for the only admin.</summary>
    public Task<GroupView> DemoteGroupMemberAsync(string groupId, string handle, CancellationToken cancellationToken = default) =>
        SendAsync<GroupView>(HttpMethod.Post, $"v1/groups/{Escape(groupId)}/members/{Escape(handle)}/demote", null, cancellationToken);

    /// <summary>Leaves a group; when the last admin leaves, the earliest-joined member becomes admin (named in the answer).</summary>
    public Task<LeaveResult> LeaveGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        SendAsync<LeaveResult>(HttpMethod.Post, $"v1/groups/{Escape(groupId)}/leave", null, cancellationToken);

    /// <summary>Sends a text message into a conversation or group by id.</summary>
    public Task<MessageView> SendTextToConversationAsync(string conversationId, string text, string? clientMsgId = null, CancellationToken cancellationToken = default) =>
        SendMessageAsync(new SendMessageRequest(null, conversationId, clientMsgId ?? NewClientMsgId(), "text")
            { Content = JsonSerializer.SerializeToElement(new { text }) }, cancellationToken);

    /// <summary>
    /// Uploads an attachment for a message to <paramref name="toHandle"/> (or into <paramref name="conversationId"/>):
    /// declares it, sends the bytes to the signed URL, and returns its id once the server verified them.
    /// </summary>
    public async Task<string> UploadAttachmentAsync(byte[] content, string filename, string contentType, string? toHandle = null,
        string? conversationId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var created = await SendAsync<UploadCreated>(HttpMethod.Post, "v1/uploads", new UploadRequest(filename, contentType, content.Length,
            Convert.ToHexStringLower(SHA256.HashData(content)), toHandle, conversationId), cancellationToken);
        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(created.UploadUrl)) { Content = new ByteArrayContent(content) };
        using var response = await _http.SendAsync(put, cancellationToken);
        var status = (await JsonSerializer.DeserializeAsync<JsonElement>(await response.Content.ReadAsStreamAsync(cancellationToken),
            cancellationToken: cancellationToken)).GetProperty("status").GetString();
        return status == "uploaded"
            ? created.AttachmentId
            : throw new InvalidOperationException($"The attachment was not accepted ({status}).");
    }

    /// <summary>Sends an uploaded attachment as a <c>file</c> message.</summary>
    public Task<MessageView> SendFileAsync(string toHandle, string attachmentId, string? clientMsgId = null, CancellationToken cancellationToken = default) =>
        SendMessageAsync(new SendMessageRequest(toHandle, null, clientMsgId ?? NewClientMsgId(), "file")
            { Content = JsonSerializer.SerializeToElement(new { attachment_id = attachmentId }) }, cancellationToken);

    /// <summary>Downloads an attachment's bytes.</summary>
    public async Task<byte[]> DownloadAttachmentAsync(string attachmentId, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"v1/attachments/{Uri.EscapeDataString(attachmentId)}", null, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }
}
