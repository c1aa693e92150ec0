using System.Text;
using System.Text.Json;
using Parley.Contracts.Json;

namespace Parley.Server.Platform.Http;

/// <summary>
/// Server-Sent Events on a response: <c>id:</c> (when given), <c>event:</c> and one <c>data:</c> line of JSON per event,
/// written one at a time; the response starts with the first write (so an error before it can still be an ordinary
/// error response), and a comment line every so often keeps a quiet stream open through proxies.
/// </summary>
internal sealed class EventStreamWriter(HttpResponse response) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public bool Started { get; private set; }

    public Task WriteAsync(string type, object data, CancellationToken ct, string? id = null) =>
        WriteRawAsync((id is null ? "" : $"id: {id}\n") + $"event: {type}\ndata: {JsonSerializer.Serialize(data, ParleyJson.Options)}\n\n", ct);

    /// <summary>Opens the stream without an event (a subscription that may stay quiet for a while).</summary>
    public Task StartAsync(CancellationToken ct) => WriteRawAsync(": connected\n\n", ct);

    /// <summary>A comment every <paramref name="every"/> (on the injected clock) while the stream is open, until cancelled.</summary>
    public async Task HeartbeatAsync(TimeSpan every, TimeProvider time, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, time, ct);
                if (Started)
                {
                    await WriteRawAsync(": keep-alive\n\n", ct);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task WriteRawAsync(string text, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (!Started)
            {
                Started = true;
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "text/event-stream";
                response.Headers.CacheControl = "no-cache";
            }
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            await response.Body.FlushAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }
}
