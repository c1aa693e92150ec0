namespace Parley.Contracts.Files;

/// <summary>
/// A file of the shared store as <c>GET /v1/files/{id}</c> and <c>POST /v1/files/{id}/complete</c> answer it.
/// <c>status</c>: <c>pending_upload</c>, <c>uploaded</c> or <c>quarantined</c>.
/// </summary>
public sealed record FileView(
    string Id, string Status, long SizeBytes, string Sha256, string ContentType, string? Filename, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
