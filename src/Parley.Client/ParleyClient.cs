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

    /// <summary>The wait before a retry when the server gave no <c>Retry-After</c> (doubles each time).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait the client accepts before a retry; a longer <c>Retry-After</c> is surfaced as the error.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock used for waits (tests pass their own).</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;
}

/// <summary>
/// The core of the SDK: JSON over HTTP with the server's error contract. Failures become
/// <see cref="ParleyApiException"/>; only errors the catalog marks retryable are retried, after <c>Retry-After</c>
/// when the server gives one. Every write carries an <c>Idempotency-Key</c>, the same on each retry, so a retry
/// never performs an action twice.
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

    /// <summary>Whether the server is ready (database reachable, migrations applied).</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri("readyz", UriKind.Relative), cancellationToken);
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
            var delay = error.RetryAfter ?? TimeSpan.FromTicks(Options.BaseDelay.Ticks << Math.Min(attempt, 10));
            if (!error.Retryable || attempt >= Options.MaxRetries || delay > Options.MaxDelay)
            {
                throw error;
            }
            await Task.Delay(delay, Options.Time, cancellationToken);
        }
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
