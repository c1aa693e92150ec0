using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi;
using Microsoft.Net.Http.Headers;
using Parley.Server.Platform.Idempotency;
using Parley.Server.Platform.OpenApi;

namespace Parley.Server.Files;

/// <summary>The file store's HTTP pieces that every module shares: the signed upload route and safe downloads.</summary>
internal static class FileHttp
{
    /// <summary>Maps <c>PUT /v1/uploads/{file_id}</c>, the signed single-use upload (no auth header).</summary>
    public static IEndpointRouteBuilder MapFileUploads(this IEndpointRouteBuilder app)
    {
        app.MapPut("/v1/uploads/{fileId}", ReceiveAsync)
            .WithName("UploadFileBytes")
            .WithSummary("Upload a file's bytes to its signed URL (single use; verified against the declared size and sha256).")
            .WithTags("Files")
            .WithMetadata(new SkipIdempotencyMetadata())
            .ProducesErrors("FORBIDDEN", "CONFLICT", "NOT_FOUND")
            // The body is the raw bytes, whatever their type; an Accepts() would make routing refuse other content types.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The file's bytes, exactly as declared (size and sha256).",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/octet-stream"] = new()
                        {
                            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                        },
                    },
                };
                return Task.CompletedTask;
            });
        return app;
    }

    private static async Task<Ok<UploadReceived>> ReceiveAsync(string fileId, long? expires, string? signature, HttpContext context, FileStore files)
    {
        // The declared size bounds what is read; the framework's default body cap does not apply here.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        var file = await files.ReceiveAsync(fileId, expires ?? 0, signature ?? "", context.Request.Body, context.RequestAborted);
        return TypedResults.Ok(new UploadReceived(file.Id, file.Status, file.SizeBytes, file.Sha256));
    }

    /// <summary>
    /// Sends a file's bytes as an attachment: declared content type, <c>Content-Disposition: attachment</c>,
    /// <c>X-Content-Type-Options: nosniff</c> and a sandboxing CSP, so content from another owner never runs in a page.
    /// </summary>
    public static FileDownload Download(StoredFile file, Stream content, string? filename = null) =>
        new(file, content, filename ?? file.Filename ?? file.Id);

    /// <summary>A file's bytes as the answer of a route; a route returning it documents a binary 200 by itself.</summary>
    internal sealed class FileDownload(StoredFile file, Stream content, string filename) : IResult, IEndpointMetadataProvider
    {
        public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) =>
            builder.Metadata.Add(new ProducesResponseTypeMetadata(
                StatusCodes.Status200OK, typeof(Stream), ["application/octet-stream"])); // documented as bytes; sent with the file's declared type

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = file.ContentType;
            response.ContentLength = file.SizeBytes;
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(SafeName(filename));
            response.Headers.ContentDisposition = disposition.ToString();
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            response.Headers.ETag = $"\"{file.Sha256}\"";
            await using (content)
            {
                await content.CopyToAsync(response.Body, httpContext.RequestAborted);
            }
        }

        private static string SafeName(string name)
        {
            var last = name.Split('/').Last();
            var cleaned = new StringBuilder(last.Length);
            foreach (var c in last)
            {
                cleaned.Append(char.IsControl(c) || c is '"' or '\\' ? '_' : c);
            }
            return cleaned.Length == 0 ? "file" : cleaned.ToString();
        }
    }
}

internal sealed record UploadReceived(string FileId, string Status, long SizeBytes, string Sha256);
