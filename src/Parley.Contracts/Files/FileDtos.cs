namespace Parley.Contracts.Files;

/// <summary>
/// A file of the shared store as <c>GET /v1/files/{id}</c> and <c>POST /v1/files/{id}/complete</c> answer it.
/// <c>status</c>: <c>pending_upload</c>, <c>uploaded</c> or <c>quarantined</c>.
/// </summary>
/// <param name="Id">The file's id (<c>file_…</c>).</param>
/// <param name="Status"><c>pending_upload</c>, <c>uploaded</c> or <c>quarantined</c> (its bytes did not match the declared size or SHA-256).</param>
/// <param name="SizeBytes">The size in bytes: declared when the upload was announced, or of the content written inline.</param>
/// <param name="Sha256">The SHA-256 of the bytes, 64 lower-case hexadecimal characters (declared, for an upload).</param>
/// <param name="ContentType">The media type the file is served with.</param>
/// <param name="Filename">The name downloads suggest (a room file's last path segment, an attachment's given name); null when none.</param>
/// <param name="CreatedAt">When the file was created (RFC 3339 UTC).</param>
/// <param name="UpdatedAt">When it last changed, e.g. its bytes arrived (RFC 3339 UTC).</param>
public sealed record FileView(
    string Id, string Status, long SizeBytes, string Sha256, string ContentType, string? Filename, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
