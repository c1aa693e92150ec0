using System.Text.Json;
using Microsoft.Extensions.Options;
using Parley.Contracts.Errors;
using Parley.Contracts.Json;
using Parley.Server.Platform.Http;

namespace Parley.Server.Platform.Errors;

/// <summary>
/// Writes every error response: the catalog envelope (or RFC 9457 problem details when the client asks only for
/// them), <c>X-Error-Code</c>, and <c>Retry-After</c> for retryable waits.
/// </summary>
internal sealed class ErrorWriter(IOptions<ParleyOptions> options)
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>Writes the error; <paramref name="status"/> replaces the catalog's status where a protocol says so (a proxy's 407).</summary>
    public async Task WriteAsync(HttpContext context, ApiException error, int? status = null)
    {
        var response = context.Response;
        response.StatusCode = status ?? error.Status;
        response.Headers[ParleyHeaders.ErrorCode] = error.Code;
        response.Headers.ContentLength = null;

        var details = error.Details is null ? null : new Dictionary<string, object?>(error.Details, StringComparer.Ordinal);
        var retryAfter = error.RetryAfter
            ?? (error.Definition.Retryable && error.Status == StatusCodes.Status429TooManyRequests
                ? TimeSpan.FromSeconds(options.Value.Limits.DefaultRetryAfterSeconds)
                : null);
        if (retryAfter is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (error.Status == StatusCodes.Status429TooManyRequests)
            {
                details ??= new Dictionary<string, object?>(StringComparer.Ordinal);
                details["retry_after_ms"] = Math.Max(1, (long)Math.Ceiling(wait.TotalMilliseconds));
            }
        }

        var envelope = Envelope(error, context.TraceIdentifier, details, status);
        var body = envelope.Error;

        if (WantsProblemDetails(context.Request))
        {
            response.ContentType = ProblemJson;
            await JsonSerializer.SerializeAsync(response.Body, ToProblem(context, body), ParleyJson.Options, context.RequestAborted);
            return;
        }
        response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(response.Body, envelope, ParleyJson.Options, context.RequestAborted);
    }

    /// <summary>The body of an error, as every error response carries it (also those written below HTTP, <see cref="Http.ServerRejections"/>).</summary>
    public static ErrorEnvelope Envelope(ApiException error, string requestId, IReadOnlyDictionary<string, object?>? details, int? status = null) => new(new ErrorBody
    {
        Code = error.Code,
        Status = status ?? error.Status,
        Message = error.Message,
        RequestId = requestId,
        Retryable = error.Definition.Retryable,
        Details = details ?? error.Details,
        Fields = error.Fields,
    });

    /// <summary>True when every media range the client accepts is <c>application/problem+json</c>.</summary>
    private static bool WantsProblemDetails(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return false;
        }
        var wanted = accept.Where(a => a.Quality is not 0).ToList();
        return wanted.Count > 0 && wanted.All(a => a.MediaType.Equals(ProblemJson, StringComparison.OrdinalIgnoreCase));
    }

    private Dictionary<string, object?> ToProblem(HttpContext context, ErrorBody body)
    {
        var baseUrl = PublicUrls.Base(context, options.Value);
        var problem = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = $"{baseUrl}/v1/errors/{body.Code}",
            ["title"] = ErrorCatalog.Get(body.Code).Title,
            ["status"] = body.Status,
            ["detail"] = body.Message,
            ["instance"] = context.Request.Path.Value,
            ["code"] = body.Code,
            ["request_id"] = body.RequestId,
            ["retryable"] = body.Retryable,
        };
        if (body.Details is not null)
        {
            problem["details"] = body.Details;
        }
        if (body.Fields is not null)
        {
            problem["errors"] = body.Fields;
        }
        return problem;
    }
}
