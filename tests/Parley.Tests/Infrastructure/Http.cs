using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Errors;
using Parley.Contracts.Json;

namespace Parley.Tests.Infrastructure;

/// <summary>Small helpers for talking JSON to the server and checking the error contract.</summary>
public static class Http
{
    public static HttpRequestMessage Request(HttpMethod method, string path, object? body = null, string? token = null,
        string? idempotencyKey = null, IDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body is string raw
                ? new StringContent(raw, Encoding.UTF8, "application/json")
                : new StringContent(JsonSerializer.Serialize(body, ParleyJson.Options), Encoding.UTF8, "application/json");
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    /// <summary>A URL sent exactly as written: no normalising of dot segments or percent-escapes on the client's side.</summary>
    public static Uri ExactUri(Uri server, string pathAndQuery) =>
        new(server.GetLeftPart(UriPartial.Authority) + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    public static Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null,
        string? token = null, string? idempotencyKey = null, IDictionary<string, string>? headers = null) =>
        client.SendAsync(Request(method, path, body, token, idempotencyKey, headers));

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string path, object? body, string? token = null,
        string? idempotencyKey = null, IDictionary<string, string>? headers = null) =>
        client.SendAsync(HttpMethod.Post, path, body ?? new { }, token, idempotencyKey, headers);

    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string path, string? token) =>
        client.SendAsync(HttpMethod.Get, path, null, token);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts a success status and returns the body.</summary>
    public static async Task<JsonElement> OkAsync(this HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Asserts the whole error contract: status, envelope, <c>X-Error-Code</c>, <c>request_id</c> equal to
    /// <c>X-Request-Id</c>, <c>retryable</c> as the catalog says, and every detail the catalog lists for the code.
    /// Returns <c>error</c>.
    /// </summary>
    public static async Task<JsonElement> ErrorAsync(this HttpResponseMessage response, string code, params string[] extraDetails)
    {
        var definition = ErrorCatalog.Get(code);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == definition.Status, $"expected {definition.Status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(code, response.Headers.GetValues("X-Error-Code").Single());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error").Clone();
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(definition.Status, error.GetProperty("status").GetInt32());
        Assert.Equal(definition.Retryable, error.GetProperty("retryable").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        Assert.Equal(requestId, error.GetProperty("request_id").GetString());
        foreach (var key in definition.Details.Where(d => code != ErrorCodes.Conflict).Concat(extraDetails))
        {
            Assert.True(error.TryGetProperty("details", out var details) && details.TryGetProperty(key, out _),
                $"{code} should carry details.{key}: {text}");
        }
        if (definition.Retryable && definition.Status == 429)
        {
            Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
            Assert.True(error.GetProperty("details").GetProperty("retry_after_ms").GetInt64() >= 1);
        }
        Assert.Equal(code == ErrorCodes.ValidationError, error.TryGetProperty("fields", out _));
        return error;
    }

    public static string NewIdempotencyKey() => "key_" + Guid.NewGuid().ToString("N");

    public static string NewIdempotencyKeyValue(this HttpClient _) => NewIdempotencyKey();
}
