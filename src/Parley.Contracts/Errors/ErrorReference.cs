using System.Text;

namespace Parley.Contracts.Errors;

/// <summary>Renders <c>docs/errors.md</c> from the catalog (a test fails when the committed file is stale).</summary>
public static class ErrorReference
{
    /// <summary>The error reference as Markdown.</summary>
    public static string RenderMarkdown()
    {
        var text = new StringBuilder();
        text.Append("""
            # Error reference

            <!-- Generated from src/Parley.Contracts/Errors/ErrorCatalog.cs by the test ErrorReferenceDocumentIsCurrent
                 (run it with PARLEY_UPDATE_DOCS=1 to regenerate). Do not edit by hand. -->

            Every 4xx and 5xx response carries the body below and the header `X-Error-Code` equal to `error.code`.
            Clients switch on `code`, never on `message`. `retryable` says whether the same request may be sent again
            unchanged (after `Retry-After` where given). The same catalog is served at `GET /v1/errors`, and one entry at
            `GET /v1/errors/{code}` (the `type` of `application/problem+json` answers).

            ```json
            {
              "error": {
                "code": "INBOX_RESTRICTED",
                "status": 403,
                "message": "The recipient accepts messages only from contacts.",
                "request_id": "req_01JD…",
                "retryable": false,
                "details": { "handle": "alice" }
              }
            }
            ```

            `VALIDATION_ERROR` carries `fields` instead of `details`: messages keyed by the JSON path of the input without its
            leading `$.` (`content.text`, `mentions[0]`), a query or path parameter by its name (`limit`), `$` for the body as a
            whole, and `url`, `headers` or `request` for a request the web server could not read (a NUL in the URL, a request
            line or headers over their limits).
            Every retryable `429` carries `Retry-After` and `details.retry_after_ms`.

            | code | status | retryable | module | when | details |
            |---|---|---|---|---|---|

            """);
        foreach (var e in ErrorCatalog.All)
        {
            var details = e.Code == ErrorCodes.ValidationError ? "`fields`" : string.Join(", ", e.Details.Select(d => $"`{d}`"));
            text.Append("| <a id=\"").Append(e.Code.ToLowerInvariant()).Append("\"></a>`").Append(e.Code).Append("` | ")
                .Append(e.Status).Append(" | ").Append(e.Retryable ? "yes" : "").Append(" | ").Append(e.Module).Append(" | ")
                .Append(e.Description.Replace("|", "\\|", StringComparison.Ordinal)).Append(" | ").Append(details).Append(" |\n");
        }
        return text.ToString();
    }
}
