using System.Text;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Text;

namespace Parley.Server.Rooms.Files;

/// <summary>
/// Room file paths (conventions.md): 1–512 bytes of NFC UTF-8, segments separated by <c>/</c>, no empty, <c>.</c> or
/// <c>..</c> segment, no leading <c>/</c>, no control characters. Paths only name files in a room; the bytes live
/// under the file's id.
/// </summary>
internal static class RoomPaths
{
    public const int MaxBytes = 512;
    public const string NoDotSegments = "must not have empty, '.' or '..' segments";
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Why the path is not acceptable, or null when it is.</summary>
    public static string? Check(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "is required";
        }
        int bytes;
        try
        {
            bytes = Strict.GetByteCount(path);
        }
        catch (EncoderFallbackException)
        {
            return "must be valid UTF-8";
        }
        if (bytes > MaxBytes)
        {
            return $"must be at most {MaxBytes} bytes of UTF-8";
        }
        if (path.Any(NameCharacters.IsForbidden))
        {
            return "must not contain control characters or bidirectional formatting characters";
        }
        if (path[0] == '/')
        {
            return "must not start with '/'";
        }
        if (path.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            return NoDotSegments;
        }
        return Nfc.IsNormalized(path) ? null : "must be in Unicode normalization form C (NFC)";
    }

    /// <summary>The path, or <c>VALIDATION_ERROR</c> on <paramref name="field"/>.</summary>
    public static string Validate(string? path, string field = "path") =>
        Check(path) is { } problem ? throw ApiErrors.Validation(field, problem) : path!;

    public static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];
}
