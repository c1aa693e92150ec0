using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Platform.Errors;
using Parley.Server.Platform.Http;
using Parley.Server.Platform.Security;

namespace Parley.Server.Platform.Idempotency;

/// <summary>Marks an endpoint that takes no part in <c>Idempotency-Key</c> handling (e.g. the signed upload).</summary>
internal sealed class SkipIdempotencyMetadata;

/// <summary>
/// <c>Idempotency-Key</c> as conventions.md defines it. The key is claimed before the endpoint runs; the endpoint's
/// writes are held in one transaction (see <see cref="Writes"/>) which commits together with the stored response.
/// Responses the endpoint itself answered are stored; authentication failures, 429s and 5xx are not, and free the key.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, ErrorWriter errors, SecretBox box, IOptions<ParleyOptions> options)
{
    private const string Purpose = "idempotency-response";
    private static readonly HashSet<string> UnstoredHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "X-Request-Id", "Date", "Server", "Content-Length", "Transfer-Encoding", "RateLimit", "RateLimit-Policy", "Retry-After",
    };

    public async Task InvokeAsync(HttpContext context)
    {
        var header = context.Request.Headers[ParleyHeaders.IdempotencyKey];
        if (header.Count == 0 || !IsWriteMethod(context.Request.Method)
            || context.GetEndpoint() is not { } endpoint || endpoint.Metadata.GetMetadata<SkipIdempotencyMetadata>() is not null)
        {
            await next(context);
            return;
        }
        // Resolved here, not as parameters: a request without a key (a WebSocket above all) holds no database context.
        var store = context.RequestServices.GetRequiredService<IdempotencyStore>();
        var writes = context.RequestServices.GetRequiredService<Writes>();

        var key = ParseKey(header.ToString()) ?? throw new ApiException(ErrorCodes.IdempotencyKeyInvalid,
            "Idempotency-Key must be 8-128 characters of A-Z, a-z, 0-9, '_' and '-'.");
        var scope = CallerKeys.Of(context, options.Value);
        var fingerprint = await FingerprintAsync(context);
        var ct = context.RequestAborted;

        var begin = await store.BeginAsync(scope, key, fingerprint, ct);
        switch (begin.Outcome)
        {
            case BeginOutcome.Conflict:
                throw new ApiException(ErrorCodes.IdempotencyKeyConflict, "This Idempotency-Key was used for a different request.");
            case BeginOutcome.InProgress:
                throw new ApiException(ErrorCodes.IdempotentInProgress, "A request with this Idempotency-Key is still running.",
                    retryAfter: TimeSpan.FromSeconds(1));
            case BeginOutcome.Replay:
                await ReplayAsync(context, begin.Existing!);
                return;
        }

        var claimId = begin.ClaimId!;
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        writes.DeferCommit = true;
        var stored = false;
        try
        {
            try
            {
                await next(context);
            }
            catch (Exception exception) when (ErrorHandlingMiddleware.Translate(context, exception) is { } error && IsStored(error.Status))
            {
                // The endpoint answered with an error: nothing it wrote survives, and the answer itself is stored.
                await writes.RollbackDeferredAsync();
                buffer.SetLength(0);
                await errors.WriteAsync(context, error);
            }

            var status = context.Response.StatusCode;
            var frameworkError = status >= 400 && context.Response.ContentType is null;
            if (IsStored(status) && !frameworkError)
            {
                var sealedResponse = Seal(context.Response, buffer.ToArray());
                await writes.CommitDeferredAsync(c => store.CompleteAsync(scope, key, claimId, status, sealedResponse, c), ct);
                stored = true;
            }
        }
        finally
        {
            context.Response.Body = original;
            if (!stored)
            {
                await writes.RollbackDeferredAsync();
                await store.ReleaseAsync(scope, key, claimId, CancellationToken.None);
            }
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(original, ct);
    }

    internal static bool IsWriteMethod(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static bool IsStored(int status) =>
        status < 500 && status != StatusCodes.Status401Unauthorized && status != StatusCodes.Status429TooManyRequests;

    /// <summary>8–128 characters of <c>[A-Za-z0-9_-]</c>, bare or as an RFC 8941 quoted string.</summary>
    internal static string? ParseKey(string raw)
    {
        var value = raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"' ? raw[1..^1] : raw;
        return value.Length is >= 8 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') ? value : null;
    }

    /// <summary>Method, path (with query) and SHA-256 of the body.</summary>
    private static async Task<string> FingerprintAsync(HttpContext context)
    {
        context.Request.EnableBuffering();
        var hash = await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted);
        context.Request.Body.Position = 0;
        return $"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} {Convert.ToHexStringLower(hash)}";
    }

    private byte[] Seal(HttpResponse response, byte[] body)
    {
        var headers = response.Headers
            .Where(h => !UnstoredHeaders.Contains(h.Key))
            .ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var plain = JsonSerializer.SerializeToUtf8Bytes(new StoredResponse(headers, body));
        return box.Seal(plain, Purpose);
    }

    private async Task ReplayAsync(HttpContext context, IdempotencyRecord record)
    {
        var stored = JsonSerializer.Deserialize<StoredResponse>(box.Open(record.Response!, Purpose))!;
        context.Response.StatusCode = record.ResponseStatus ?? StatusCodes.Status200OK;
        foreach (var (name, value) in stored.Headers)
        {
            context.Response.Headers[name] = value;
        }
        context.Response.Headers[ParleyHeaders.IdempotentReplay] = "true";
        context.Response.ContentLength = stored.Body.Length;
        await context.Response.Body.WriteAsync(stored.Body, context.RequestAborted);
    }

    private sealed record StoredResponse(Dictionary<string, string> Headers, byte[] Body);
}
