using System.Net;
using System.Text.Json;

namespace Parley.Client;

/// <summary>An error answered by the server, as the catalog describes it. Switch on <see cref="Code"/>.</summary>
public sealed class ParleyApiException : Exception
{
    /// <summary>Creates the exception from a parsed error body.</summary>
    public ParleyApiException(HttpStatusCode status, string code, string message, string? requestId, bool retryable,
        JsonElement? details, JsonElement? fields, TimeSpan? retryAfter)
        : base($"{code}: {message}")
    {
        Status = status;
        Code = code;
        RequestId = requestId;
        Retryable = retryable;
        Details = details;
        Fields = fields;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The catalog code (see <see cref="Parley.Contracts.Errors.ErrorCodes"/>).</summary>
    public string Code { get; }

    /// <summary>The request id to quote when reporting a problem.</summary>
    public string? RequestId { get; }

    /// <summary>Whether the same request may be sent again unchanged.</summary>
    public bool Retryable { get; }

    /// <summary>Code-specific details, when the code has any.</summary>
    public JsonElement? Details { get; }

    /// <summary>On <c>VALIDATION_ERROR</c>: messages keyed by the JSON path of the input.</summary>
    public JsonElement? Fields { get; }

    /// <summary>How long the server asked the client to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
