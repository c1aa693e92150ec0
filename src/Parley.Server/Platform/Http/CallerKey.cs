namespace Parley.Server.Platform.Http;

/// <summary>
/// What the platform needs to know of an authenticated caller: a stable key (e.g. <c>agent:agt_…</c>) that scopes
/// idempotency keys and rate limits. Identity sets it as an HTTP feature when it authenticates a request.
/// </summary>
internal interface ICallerKey
{
    string PartitionKey { get; }
}

internal static class CallerKeys
{
    /// <summary>The caller's partition key, or <c>ip:&lt;address&gt;</c> for an unauthenticated request.</summary>
    public static string Of(HttpContext context, ParleyOptions options) =>
        context.Features.Get<ICallerKey>()?.PartitionKey ?? "ip:" + ClientAddress.Of(context, options);
}
