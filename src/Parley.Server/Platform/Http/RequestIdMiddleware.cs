namespace Parley.Server.Platform.Http;

/// <summary>
/// Gives every request an id: the client's <c>X-Request-Id</c> when it is 1–128 printable ASCII, otherwise
/// <c>req_…</c>. The id is echoed on the response, put in error bodies and in every log line of the request.
/// </summary>
internal sealed class RequestIdMiddleware(RequestDelegate next, Ids ids, ILogger<RequestIdMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var supplied = context.Request.Headers[ParleyHeaders.RequestId].ToString();
        var id = IsAcceptable(supplied) ? supplied : ids.New("req");
        context.TraceIdentifier = id;
        context.Response.Headers[ParleyHeaders.RequestId] = id;
        using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = id }))
        {
            await next(context);
        }
    }

    private static bool IsAcceptable(string value) =>
        value.Length is >= 1 and <= 128 && value.All(c => c is >= ' ' and <= '~');
}
