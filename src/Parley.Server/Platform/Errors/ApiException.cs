using Parley.Contracts.Errors;

namespace Parley.Server.Platform.Errors;

/// <summary>
/// A catalog error on its way to the client. Services throw it; <see cref="ErrorWriter"/> turns it into the one
/// error body. Nothing else builds error responses.
/// </summary>
internal sealed class ApiException : Exception
{
    public ApiException(string code, string? message = null, IReadOnlyDictionary<string, object?>? details = null,
        IReadOnlyDictionary<string, string[]>? fields = null, TimeSpan? retryAfter = null)
        : base(message ?? ErrorCatalog.Get(code).Description)
    {
        Definition = ErrorCatalog.Get(code);
        Details = details;
        Fields = fields;
        RetryAfter = retryAfter;
    }

    public ErrorDefinition Definition { get; }
    public string Code => Definition.Code;
    public int Status => Definition.Status;
    public IReadOnlyDictionary<string, object?>? Details { get; }
    public IReadOnlyDictionary<string, string[]>? Fields { get; }

    /// <summary>When set, answered as <c>Retry-After</c> (whole seconds, at least 1) and <c>details.retry_after_ms</c>.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>Short-hands for the errors most call sites raise.</summary>
internal static class ApiErrors
{
    public static ApiException NotFound(string code = ErrorCodes.NotFound) => new(code);

    public static ApiException Validation(string field, string message) =>
        new(ErrorCodes.ValidationError, "The request is not valid.", fields: new Dictionary<string, string[]> { [field] = [message] });

    public static ApiException Forbidden(string reason, string? message = null) =>
        new(ErrorCodes.Forbidden, message, Details(("reason", reason)));

    public static ApiException Conflict(string? message = null, int? limit = null) =>
        new(ErrorCodes.Conflict, message, limit is null ? null : Details(("limit", limit)));

    public static ApiException TooLarge(long limitBytes, string? message = null) =>
        new(ErrorCodes.ContentTooLarge, message, Details(("limit_bytes", limitBytes)));

    public static ApiException RateLimited(int limit, int windowSeconds, TimeSpan retryAfter) =>
        new(ErrorCodes.RateLimited, "Too many requests; retry after the time given.",
            Details(("limit", limit), ("window_seconds", windowSeconds)), retryAfter: retryAfter);

    public static ApiException Unavailable(string? message = null, TimeSpan? retryAfter = null) =>
        new(ErrorCodes.ServiceUnavailable, message, retryAfter: retryAfter);

    public static Dictionary<string, object?> Details(params (string Key, object? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
