using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Server.Data;
using Parley.Server.Platform.Validation;

namespace Parley.Server.Platform.Errors;

/// <summary>
/// The outermost guard: turns every exception and every body-less error status the framework produces (unknown
/// route, wrong method, oversized body…) into a catalog error. Unexpected exceptions become <c>INTERNAL_ERROR</c>
/// with nothing internal in the body; they are logged with the request id.
/// </summary>
internal sealed class ErrorHandlingMiddleware(RequestDelegate next, ErrorWriter writer, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return;
        }
        catch (Exception exception)
        {
            var error = Translate(context, exception);
            if (error.Status >= 500)
            {
                logger.LogError(exception, "Request failed with {Code}", error.Code);
            }
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }
            await writer.WriteAsync(context, error);
            return;
        }

        if (context.Response.StatusCode >= 400 && !context.Response.HasStarted
            && context.Response.ContentLength is null && context.Response.ContentType is null)
        {
            await writer.WriteAsync(context, FromStatus(context, context.Response.StatusCode));
        }
    }

    /// <summary>Maps any exception to the catalog error a client should see.</summary>
    public static ApiException Translate(HttpContext context, Exception exception) => exception switch
    {
        ApiException api => api,
        BadHttpRequestException bad => FromBadRequest(context, bad),
        JsonException json => Malformed(json),
        _ when context.RequestServices.GetRequiredService<DatabaseProvider>().IsUnavailable(exception) =>
            ApiErrors.Unavailable("The database is temporarily unavailable.", TimeSpan.FromSeconds(1)),
        _ => new ApiException(ErrorCodes.InternalError,
            "An unexpected error occurred; quote the request_id when reporting it."),
    };

    private static ApiException FromBadRequest(HttpContext context, BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ApiErrors.TooLarge(BodyLimit(context), "The request body is too large.");
        }
        if (bad.InnerException is JsonException json)
        {
            return Malformed(json);
        }
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ApiErrors.Validation(FieldNames.Body, "the body must be JSON (Content-Type: application/json)");
        }
        if (bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase))
        {
            return ApiErrors.Validation(FieldNames.Body, "a JSON body is required");
        }
        // The framework names a query or route parameter it could not bind: `Failed to bind parameter "int? limit" from "x".`
        return FieldNames.FromBindingMessage(bad.Message) is { } parameter
            ? ApiErrors.Validation(parameter, "is not a value of the right type")
            : ApiErrors.Validation(FieldNames.Body, "the request is malformed");
    }

    private static long BodyLimit(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0;

    private static ApiException Malformed(JsonException json) =>
        ApiErrors.Validation(FieldNames.FromJsonPath(json.Path), "malformed JSON or a value of the wrong type");

    private static ApiException FromStatus(HttpContext context, int status) => status switch
    {
        StatusCodes.Status401Unauthorized => new ApiException(ErrorCodes.Unauthorized),
        StatusCodes.Status403Forbidden => ApiErrors.Forbidden("not_allowed"),
        StatusCodes.Status413PayloadTooLarge => ApiErrors.TooLarge(BodyLimit(context)),
        StatusCodes.Status400BadRequest or StatusCodes.Status415UnsupportedMediaType => ApiErrors.Validation(FieldNames.Body, "the request is malformed"),
        // An unknown route and a known route with the wrong method are both "a route that does not exist".
        < 500 => ApiErrors.NotFound(),
        StatusCodes.Status503ServiceUnavailable => ApiErrors.Unavailable(),
        _ => new ApiException(ErrorCodes.InternalError),
    };
}
