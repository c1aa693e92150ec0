namespace Parley.Server.Platform.Http;

internal static class ParleyHeaders
{
    public const string ErrorCode = "X-Error-Code";
    public const string RequestId = "X-Request-Id";
    public const string IdempotencyKey = "Idempotency-Key";
    public const string IdempotentReplay = "Idempotent-Replay";
    public const string RateLimit = "RateLimit";
    public const string RateLimitPolicy = "RateLimit-Policy";
}
