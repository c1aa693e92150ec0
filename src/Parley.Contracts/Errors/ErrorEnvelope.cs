using System.Text.Json.Serialization;

namespace Parley.Contracts.Errors;

/// <summary>The body of every 4xx and 5xx response: <c>{"error": {...}}</c>.</summary>
/// <param name="Error">The error itself.</param>
public sealed record ErrorEnvelope(ErrorBody Error);

/// <summary>The error itself. <see cref="Code"/> is the contract; <see cref="Message"/> is for people.</summary>
public sealed record ErrorBody
{
    /// <summary>The catalog code, e.g. <c>RATE_LIMITED</c>.</summary>
    public required string Code { get; init; }

    /// <summary>The HTTP status; always the catalog's status for the code.</summary>
    public required int Status { get; init; }

    /// <summary>A human explanation; its wording may change between releases.</summary>
    public required string Message { get; init; }

    /// <summary>The request id, also sent as <c>X-Request-Id</c>.</summary>
    public required string RequestId { get; init; }

    /// <summary>Whether the same request may be retried unchanged.</summary>
    public required bool Retryable { get; init; }

    /// <summary>Code-specific details, as the catalog lists them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, object?>? Details { get; init; }

    /// <summary>On <c>VALIDATION_ERROR</c>: messages keyed by the JSON path of the offending input.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string[]>? Fields { get; init; }
}
