using System.Text.Json;

namespace Parley.Tests.Contract.Fuzz;

/// <summary>What a generated request's answer got wrong, by kind (the kinds the closing figures count).</summary>
public sealed record Finding(string Kind, string Detail);

/// <summary>
/// Holds an answer against the document: never a 5xx (except the gateway's word on an upstream it called —
/// <c>UPSTREAM_ERROR</c>, <c>UPSTREAM_TIMEOUT</c> — which is the upstream's failure, not the server's); every error with the envelope (or problem details when only
/// they were accepted) and a matching <c>X-Error-Code</c>, its status and code among those the operation lists; every
/// success with a documented status and a body valid against its schema; nothing invalid accepted.
/// </summary>
public sealed class ResponseChecker(ApiDocument document)
{
    public const string ServerError = "5xx";
    public const string NoEnvelope = "error without envelope";
    public const string SchemaViolation = "body violates schema";
    public const string Undocumented = "undocumented status";
    public const string UnlistedCode = "error code not listed";
    public const string InvalidAccepted = "invalid request accepted";

    public IReadOnlyList<Finding> Check(FuzzRequest request, HttpResponseMessage response, byte[] body)
    {
        var findings = new List<Finding>();
        var status = (int)response.StatusCode;
        var statusText = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (status >= 500 && !IsUpstreamFailure(status, response))
        {
            findings.Add(new Finding(ServerError, $"{status} {Text(body)}"));
        }
        if (status < 400 && request.MustFailBecause is { } reason && !IsReplay(request, status, body))
        {
            findings.Add(new Finding(InvalidAccepted, $"{status} although {reason}"));
        }
        if (!request.Operation.Responses.TryGetValue(statusText, out var documented))
        {
            findings.Add(new Finding(Undocumented, $"{status} ({response.Headers.GetValues("X-Request-Id").FirstOrDefault()}) {Text(body)}"));
        }

        if (status >= 400)
        {
            CheckError(request, response, body, status, contentType, documented, findings);
        }
        else if (documented is not null)
        {
            CheckSuccess(body, contentType, documented, findings);
        }
        return findings;
    }

    private static bool IsUpstreamFailure(int status, HttpResponseMessage response) =>
        status is 502 or 504 && response.Headers.TryGetValues("X-Error-Code", out var codes)
        && codes.FirstOrDefault() is Parley.Contracts.Errors.ErrorCodes.UpstreamError or Parley.Contracts.Errors.ErrorCodes.UpstreamTimeout;

    private void CheckError(FuzzRequest request, HttpResponseMessage response, byte[] body, int status, string? contentType,
        ApiResponse? documented, List<Finding> findings)
    {
        var header = response.Headers.TryGetValues("X-Error-Code", out var values) ? values.FirstOrDefault() : null;
        // A request the web server could not read (a NUL in its URL, a non-ASCII header) is answered below HTTP, always
        // with the envelope: its Accept header cannot be trusted (docs/wire.md).
        var wantsProblem = request.Headers.Any(h => h.Key == "Accept" && h.Value == "application/problem+json") && !IsServerRejection(body);
        var expectedType = wantsProblem ? "application/problem+json" : "application/json";
        if (header is null || contentType != expectedType || !TryParse(body, out var json))
        {
            findings.Add(new Finding(NoEnvelope, $"{status} X-Error-Code={header} Content-Type={contentType} {Text(body)}"));
            return;
        }
        var error = wantsProblem ? json : json.TryGetProperty("error", out var inner) ? inner : default;
        var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) ? c.GetString() : null;
        var bodyStatus = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("status", out var s) && s.TryGetInt32(out var n) ? n : 0;
        if (code != header || bodyStatus != status)
        {
            findings.Add(new Finding(NoEnvelope, $"{status} X-Error-Code={header} body code={code} status={bodyStatus}"));
        }
        if (documented is null)
        {
            return;
        }
        if (documented.Content.TryGetValue(expectedType, out var schema))
        {
            foreach (var problem in document.Validate(schema, json))
            {
                findings.Add(new Finding(SchemaViolation, $"{status} {code}: {problem}"));
            }
        }
        else
        {
            findings.Add(new Finding(SchemaViolation, $"{status} {code}: {expectedType} is not documented"));
        }
        if (code is not null && !documented.ErrorCodes.Contains(code))
        {
            findings.Add(new Finding(UnlistedCode, $"{status} {code} (listed: {string.Join(", ", documented.ErrorCodes)})"));
        }
    }

    private void CheckSuccess(byte[] body, string? contentType, ApiResponse documented, List<Finding> findings)
    {
        if (documented.Content.Count == 0)
        {
            if (body.Length > 0)
            {
                findings.Add(new Finding(SchemaViolation, $"{documented.Status} documents no body but one came: {Text(body)}"));
            }
            return;
        }
        if (!documented.Content.TryGetValue("application/json", out var schema))
        {
            return; // bytes (a download): sent with the file's own media type
        }
        if (contentType != "application/json" || !TryParse(body, out var json))
        {
            findings.Add(new Finding(SchemaViolation, $"{documented.Status} Content-Type={contentType}, not the documented JSON: {Text(body)}"));
            return;
        }
        foreach (var problem in document.Validate(schema, json))
        {
            findings.Add(new Finding(SchemaViolation, $"{documented.Status}: {problem}"));
        }
    }

    /// <summary>A 200 that is the original answer to a replay key the caller used before (<c>x-replay-key</c>): no check runs first.</summary>
    private static bool IsReplay(FuzzRequest request, int status, byte[] body) =>
        request.Operation.ReplayKey is { } key && status == 200 && TryParse(body, out var json)
        && json.TryGetProperty(key, out var answered) && request.Body is { } sent
        && TryParse(sent, out var asked) && asked.ValueKind == JsonValueKind.Object
        && asked.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() == answered.GetString();

    private static bool IsServerRejection(byte[] body) =>
        TryParse(body, out var json) && json.TryGetProperty("error", out var error) && error.TryGetProperty("fields", out var fields)
        && fields.ValueKind == JsonValueKind.Object && fields.EnumerateObject().Any(f => f.Name is "request" or "url" or "headers");

    private static bool TryParse(byte[] body, out JsonElement json)
    {
        try
        {
            json = JsonDocument.Parse(body).RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            json = default;
            return false;
        }
    }

    private static string Text(byte[] body)
    {
        var text = System.Text.Encoding.UTF8.GetString(body);
        return text.Length <= 300 ? text : text[..300] + "…";
    }
}
