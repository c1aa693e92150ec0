using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Messaging;
using Parley.Server.Files;
using Parley.Server.Identity.Auth;
using Parley.Server.Platform;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Messaging.Attachments;

/// <summary>Message attachments: declared and uploaded to a signed URL, then downloaded by those they were sent to.</summary>
internal static class AttachmentEndpoints
{
    public static IEndpointRouteBuilder MapAttachments(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireAgent();
        v1.MapPost("/uploads", UploadAsync).WithName("CreateAttachmentUpload").WithTags("Attachments").RequireScope(Scopes.Upload)
            .WithSummary("Declare an attachment (≤ 25 MiB) and get its signed upload URL.")
            .ProducesErrors(ErrorCodes.ContentTooLarge, ErrorCodes.AgentNotFound, ErrorCodes.ConversationNotFound, ErrorCodes.GroupDeleted,
                ErrorCodes.FeatureLimitReached);
        v1.MapGet("/attachments/{fileId}", DownloadAsync).WithName("DownloadAttachment").WithTags("Attachments").RequireScope(Scopes.Download)
            .WithSummary("An attachment's bytes, for its uploader and the participants it was sent to.")
            .ProducesErrors(ErrorCodes.NotFound, ErrorCodes.UploadNotComplete);
        return app;
    }

    private static async Task<Created<UploadCreated>> UploadAsync(UploadRequest request, Caller caller, HttpContext http, AttachmentService s,
        IOptions<ParleyOptions> options, CancellationToken ct)
    {
        var created = await s.CreateAsync(caller, request, PublicUrls.Base(http, options.Value), ct);
        return TypedResults.Created($"/v1/attachments/{created.AttachmentId}", created);
    }

    private static async Task<FileHttp.FileDownload> DownloadAsync(string fileId, Caller caller, AttachmentService s, FileStore files, CancellationToken ct)
    {
        var file = await s.FindVisibleAsync(caller.Id, fileId, ct);
        return FileHttp.Download(file, files.OpenRead(file));
    }
}
