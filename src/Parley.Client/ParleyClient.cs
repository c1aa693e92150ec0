using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Contracts.Json;

namespace Parley.Client;

/// <summary>Settings of a <see cref="ParleyClient"/>.</summary>
public sealed class ParleyClientOptions
{
    /// <summary>How many times a retryable failure is retried (default 3).</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>
    /// The base of the backoff when the server gave no <c>Retry-After</c>: the n-th retry (from 0) waits a random time
    /// between half and all of <c>BaseDelay × 2ⁿ</c> ("equal jitter", so clients that failed together do not retry
    /// together), capped at <see cref="MaxDelay"/>. A <c>Retry-After</c> is waited out exactly, without jitter.
    /// </summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The longest wait before a retry: the jittered backoff never exceeds it, and a longer <c>Retry-After</c> is
    /// surfaced as the error instead of waited out.
    /// </summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock used for waits (tests pass their own).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;
}

/// <summary>
/// The core of the SDK: JSON over HTTP with the server's error contract. Failures become
/// <see cref="ParleyApiException"/>; only errors the catalog marks retryable are retried, after <c>Retry-After</c>
/// when the server gives one, else after a jittered exponential backoff (<see cref="ParleyClientOptions.BaseDelay"/>).
/// Every write carries an <c>Idempotency-Key</c>, the same on each retry, so a retry never performs an action twice.
/// </summary>
public sealed partial class ParleyClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>Creates a client for a server, authenticating with <paramref name="credential"/> (a key, token or passport).</summary>
    public ParleyClient(Uri baseAddress, string? credential = null, ParleyClientOptions? options = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseAddress;
        Credential = credential;
        Options = options ?? new ParleyClientOptions();
    }

    /// <summary>The server's address.</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>The credential sent as <c>Authorization: Bearer</c>.</summary>
    public string? Credential { get; set; }

    /// <summary>Retry and timing settings.</summary>
    public ParleyClientOptions Options { get; }

    /// <summary>The whole error catalog as the server serves it.</summary>
    public Task<IReadOnlyList<ErrorCatalogEntry>> GetErrorCatalogAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ErrorCatalogEntry>>(HttpMethod.Get, "v1/errors", null, cancellationToken);

    /// <summary>One entry of the error catalog by its code (<c>NOT_FOUND</c> for a code the catalog does not have).</summary>
    public Task<ErrorCatalogEntry> GetErrorAsync(string code, CancellationToken cancellationToken = default) =>
        SendAsync<ErrorCatalogEntry>(HttpMethod.Get, $"v1/errors/{Escape(code)}", null, cancellationToken);

    /// <summary>Liveness: <c>{"status": "ok"}</c> while the process is up (the server has no contract type for it, hence JSON).</summary>
    public Task<JsonElement> GetHealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync<JsonElement>(HttpMethod.Get, "healthz", null, cancellationToken);

    /// <summary>Whether the server is ready (database reachable, migrations applied); asked once, without retries, never throws for a 503.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "readyz");
        using var response = await _http.SendAsync(request, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Sends a request and reads a JSON answer, retrying what the catalog marks retryable.</summary>
    public async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        using var response = await SendRawAsync(method, path, body, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return default!;
        }
        return (await response.Content.ReadFromJsonAsync<T>(ParleyJson.Options, cancellationToken))!;
    }

    /// <summary>Sends a request and returns the successful response (the caller disposes it).</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        var idempotencyKey = method == HttpMethod.Get ? null : "sdk_" + Guid.NewGuid().ToString("N");
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative));
            if (Credential is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Credential);
            }
            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }
            if (body is not null)
            {
                request.Content = JsonContent.Create(body, body.GetType(), options: ParleyJson.Options);
            }
            var response = await _http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }
            var error = await ReadErrorAsync(response, cancellationToken);
            response.Dispose();
            var delay = error.RetryAfter ?? Backoff(attempt);
            if (!error.Retryable || attempt >= Options.MaxRetries || delay > Options.MaxDelay)
            {
                throw error;
            }
            await Task.Delay(delay, Options.Time, cancellationToken);
        }
    }

    /// <summary>
    /// Equal jitter: half of <c>BaseDelay × 2^attempt</c> (capped at <c>MaxDelay</c>) plus a random share of the other
    /// half, so the wait lies in [half, full] of the exponential delay and never above <c>MaxDelay</c>.
    /// </summary>
    private TimeSpan Backoff(int attempt)
    {
        var exponential = Options.BaseDelay.Ticks * Math.Pow(2, Math.Min(attempt, 30));
        var full = (long)Math.Max(0, Math.Min(exponential, Options.MaxDelay.Ticks));
        var half = full / 2;
        return TimeSpan.FromTicks(half + Random.Shared.NextInt64(full - half + 1));
    }

    private static async Task<ParleyApiException> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var retryAfter = response.Headers.RetryAfter?.Delta;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        ErrorEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<ErrorEnvelope>(text, ParleyJson.Options);
        }
        catch (JsonException)
        {
            envelope = null;
        }
        if (envelope?.Error is not { } error)
        {
            // Not Parley's envelope (a proxy in between, say): keep the status, and retry only what is plainly transient.
            var transient = response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
            return new ParleyApiException(response.StatusCode, transient ? ErrorCodes.ServiceUnavailable : ErrorCodes.InternalError,
                $"HTTP {(int)response.StatusCode}", null, transient, null, null, retryAfter);
        }
        return new ParleyApiException(response.StatusCode, error.Code, error.Message, error.RequestId, error.Retryable,
            error.Details is null ? null : JsonSerializer.SerializeToElement(error.Details, ParleyJson.Options),
            error.Fields is null ? null : JsonSerializer.SerializeToElement(error.Fields, ParleyJson.Options), retryAfter);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
