using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Data;
using Parley.Server.Files;
using Parley.Server.Identity.Agents;
using Parley.Server.Identity.Auth;
using Parley.Server.Messaging.Conversations;
using Parley.Server.Messaging.Groups;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Messaging.Attachments;

/// <summary>Which conversation a message carried an attachment into: its participants may download it.</summary>
internal sealed class MessageAttachment
{
    public required string MessageId { get; set; }
    public required string FileId { get; set; }
    public required string ConversationId { get; set; }
    public long Seq { get; set; }
}

internal sealed class MessageAttachmentConfiguration : IEntityTypeConfiguration<MessageAttachment>
{
    public void Configure(EntityTypeBuilder<MessageAttachment> builder)
    {
        builder.ToTable("message_attachments");
        builder.HasKey(a => new { a.MessageId, a.FileId });
        builder.HasIndex(a => a.FileId);
    }
}

/// <summary>
/// Message attachments on the shared file store: created against the sender's storage quota, uploaded to a signed
/// single-use URL and verified (or quarantined), and downloadable only by the uploader and by the participants of a
/// conversation a message carried it into (from the message on, for group members).
/// </summary>
internal sealed class AttachmentService(Writes writes, FileStore files, GroupRules groups, IOptions<MessagingOptions> options)
{
    public const string Purpose = "attachment";
    private ParleyDb Db => writes.Db;

    public async Task<UploadCreated> CreateAsync(Caller caller, UploadRequest request, string publicBaseUrl, CancellationToken ct)
    {
        var agent = caller.Agent!;
        var limit = options.Value.Limits.MaxAttachmentBytes;
        var v = new Validator();
        var filename = v.Required("filename", request.Filename);
        v.Name("filename", request.Filename, 1, 255);
        var contentType = v.Required("content_type", request.ContentType);
        FileStore.CheckContentType(v, request.ContentType);
        v.Required("size_bytes", request.SizeBytes);
        v.Range("size_bytes", request.SizeBytes, 1, long.MaxValue);
        var sha = v.Required("sha256", request.Sha256);
        FileStore.CheckSha256(v, request.Sha256);
        if ((request.To is null) == (request.ConversationId is null))
        {
            v.Add("to", "give exactly one of to and conversation_id");
        }
        v.ThrowIfInvalid();
        if (request.SizeBytes > limit)
        {
            throw ApiErrors.TooLarge(limit, "Attachments are at most 25 MiB.");
        }
        // The destination must exist for the sender (the send itself checks everything else).
        if (request.To is { } handle)
        {
            _ = await AgentQueries.ByNameAsync(Db, handle, ct) ?? throw new ApiException(ErrorCodes.AgentNotFound, "No such agent.");
        }
        else if (request.ConversationId!.StartsWith("grp_", StringComparison.Ordinal))
        {
            await groups.TouchAsync(agent.Id, request.ConversationId, ct);
        }
        else if (!await Db.Participants.AnyAsync(p => p.ConversationId == request.ConversationId && p.AgentId == agent.Id, ct))
        {
            throw new ApiException(ErrorCodes.ConversationNotFound, "No such conversation.");
        }
        var quotaOwner = agent.OwnerWorkspaceId is { } ws ? FileStore.WorkspaceQuota(ws) : FileStore.AgentQuota(agent.Id);
        var created = await files.CreateAsync(new NewFile(Purpose, quotaOwner, "agent:" + agent.Id, filename, contentType, request.SizeBytes!.Value, sha),
            publicBaseUrl, ct);
        return new UploadCreated(created.File.Id, created.UploadUrl, created.ExpiresIn);
    }

    /// <summary>
    /// A file message's attachment, inside the send: one of the sender's own attachments (else <c>VALIDATION_ERROR</c>
    /// on <c>content.attachment_id</c>), uploaded and verified (else <c>UPLOAD_NOT_COMPLETE</c>).
    /// </summary>
    public async Task<string> EnsureSendableAsync(Agent sender, string content, CancellationToken c)
    {
        var id = JsonDocument.Parse(content).RootElement.GetProperty("attachment_id").GetString();
        var file = id is null ? null : await files.FindAsync(id, c);
        if (file is null || file.Purpose != Purpose || file.CreatedBy != "agent:" + sender.Id)
        {
            throw ApiErrors.Validation("content.attachment_id", "no such attachment of yours");
        }
        FileStore.EnsureUploaded(file);
        return file.Id;
    }

    /// <summary>Records that a message carried the attachment into its conversation (its participants may now read it).</summary>
    public async Task RecordAsync(Message message, string? fileId, CancellationToken c)
    {
        if (fileId is not null)
        {
            Db.MessageAttachments.Add(new MessageAttachment { MessageId = message.Id, FileId = fileId, ConversationId = message.ConversationId, Seq = message.Seq });
            await Db.SaveChangesAsync(c);
        }
    }

    /// <summary>The file, when the agent may read it; otherwise 404 as if it did not exist.</summary>
    public async Task<StoredFile> FindVisibleAsync(string agentId, string fileId, CancellationToken ct)
    {
        var file = await files.FindAsync(fileId, ct);
        if (file is null || file.Purpose != Purpose)
        {
            throw ApiErrors.NotFound();
        }
        if (file.CreatedBy == "agent:" + agentId)
        {
            return file;
        }
        var visible = await Db.MessageAttachments.AsNoTracking().Where(a => a.FileId == fileId)
            .Join(Db.Participants.AsNoTracking(), a => a.ConversationId, p => p.ConversationId, (a, p) => new { a, p })
            .AnyAsync(x => x.p.AgentId == agentId && x.p.LeftAt == null && x.p.JoinedSeq < x.a.Seq, ct);
        return visible ? file : throw ApiErrors.NotFound();
    }
}

/// <summary>Lets the shared file routes show an attachment to exactly those who may download it.</summary>
internal sealed class AttachmentAccessPolicy(AttachmentService attachments) : IFileAccessPolicy
{
    public string Purpose => AttachmentService.Purpose;

    public async Task<bool> CanSeeAsync(Caller caller, StoredFile file, CancellationToken cancellationToken)
    {
        if (caller.Kind != CallerKind.Agent)
        {
            return false;
        }
        try
        {
            await attachments.FindVisibleAsync(caller.Agent!.Id, file.Id, cancellationToken);
            return true;
        }
        catch (ApiException e) when (e.Code == ErrorCodes.NotFound)
        {
            return false;
        }
    }
}
