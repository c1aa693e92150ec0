using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Platform.Http;

/// <summary>
/// What the text of a request may hold, whatever the route, checked before any endpoint reads it:
/// <list type="bullet">
/// <item>A JSON body is UTF-8 (RFC 8259). The JSON reader decodes only the strings an endpoint reads, so bytes that are
/// not UTF-8 inside an ignored field would pass; a body that is not UTF-8 is malformed JSON (field <c>$</c>).</item>
/// <item>No string holds NUL (U+0000) — in a JSON body (also inside a message's free <c>content</c>) or a query.
/// PostgreSQL cannot store it and no name or text needs it; it is refused naming the field, the same on every
/// provider.</item>
/// </list>
/// A JSON body is read whole for this (it is bounded by <c>Limits:MaxJsonBodyBytes</c>) and handed on from memory.
/// </summary>
internal static class RequestText
{
    public const string NulMessage = "must not contain NUL (U+0000)";

    public static IApplicationBuilder UseRequestTextRules(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        foreach (var (key, values) in request.Query)
        {
            if (key.Contains('\0', StringComparison.Ordinal) || values.Any(v => v is not null && v.Contains('\0', StringComparison.Ordinal)))
            {
                throw ApiErrors.Validation(key.Replace("\0", "", StringComparison.Ordinal), NulMessage);
            }
        }
        if (request.HasJsonContentType())
        {
            // Sized from Content-Length up to 64 KiB only: the declared length is the client's word, the body limit the server's.
            var buffer = new MemoryStream((int)Math.Min(request.ContentLength ?? 0, 64 * 1024));
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            if (!Utf8.IsValid(body.Span))
            {
                throw ApiErrors.Validation(FieldNames.Body, "the body is not UTF-8");
            }
            if (FindNul(body.Span) is { } field)
            {
                throw ApiErrors.Validation(field, NulMessage);
            }
            buffer.Position = 0;
            request.Body = buffer;
            context.Response.RegisterForDispose(buffer);
        }
        await next(context);
    });

    /// <summary>
    /// The field (as <c>fields</c> names it: <c>content.text</c>, <c>member_handles[1]</c>) of the first string holding
    /// NUL, or null. A body that is not JSON is left to the endpoint, which answers it as malformed.
    /// </summary>
    private static string? FindNul(ReadOnlySpan<byte> json)
    {
        // Only an escaped string can hold NUL: a raw control character is not JSON.
        if (json.IndexOf("\\u0000"u8) < 0)
        {
            return null;
        }
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        var path = new List<(bool Array, int Index, string? Name)>();
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    path.RemoveAt(path.Count - 1);
                    continue;
                }
                if (token == JsonTokenType.PropertyName)
                {
                    path[^1] = (false, 0, reader.GetString());
                    continue;
                }
                if (path.Count > 0 && path[^1].Array)
                {
                    path[^1] = (true, path[^1].Index + 1, null);
                }
                if (token == JsonTokenType.String && reader.ValueIsEscaped && reader.GetString()!.Contains('\0', StringComparison.Ordinal))
                {
                    return Describe(path);
                }
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    path.Add((token == JsonTokenType.StartArray, -1, null));
                }
            }
        }
        catch (JsonException)
        {
        }
        catch (InvalidOperationException)
        {
            // A lone escaped surrogate cannot be read as text: the endpoint decides about it.
        }
        return null;
    }

    /// <summary>The path as a JSON path (<c>$.content.data[1]</c>), named the way <c>fields</c> names everything.</summary>
    private static string Describe(List<(bool Array, int Index, string? Name)> path)
    {
        var json = new StringBuilder("$");
        foreach (var (array, index, name) in path)
        {
            if (array)
            {
                json.Append('[').Append(index).Append(']');
            }
            else if (name is not null)
            {
                json.Append('.').Append(name);
            }
        }
        return FieldNames.FromJsonPath(json.ToString());
    }
}
