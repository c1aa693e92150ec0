using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// A real OpenAI-compatible chat-completions server on loopback (<c>POST /v1/chat/completions</c>), scripted by the
/// test: each request takes the next <see cref="Turn"/> — text (streamed in pieces when the request asks for a
/// stream, with usage in the last chunk), a call of the tool whose function name ends with a given name (its arguments
/// split over several chunks), an error status, or no answer at all. It records every request it receives.
/// </summary>
public sealed class FakeModelProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Turn> _script = new();
    private readonly TaskCompletionSource _never = new();

    public sealed record Turn(string? Text = null, string? Tool = null, string? Arguments = null, int Status = 200, bool Hang = false,
        bool HangAfterFirstPiece = false, long InputTokens = 1200, long OutputTokens = 800);

    public sealed record Received(IReadOnlyDictionary<string, string> Headers, JsonElement Body);

    private FakeModelProvider(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();
    public Uri BaseUrl { get; private set; } = null!;

    public void Then(Turn turn) => _script.Enqueue(turn);

    public static async Task<FakeModelProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeModelProvider(app);
        app.MapPost("/v1/chat/completions", fake.AnswerAsync);
        await app.StartAsync();
        fake.BaseUrl = new Uri(new Uri(app.Urls.First()), "/v1");
        return fake;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var body = await JsonDocument.ParseAsync(context.Request.Body);
        Requests.Enqueue(new Received(context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body.RootElement.Clone()));
        var turn = _script.TryDequeue(out var next) ? next : new Turn(Text: "(no script)");
        if (turn.Hang)
        {
            await _never.Task.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        if (turn.Status != 200)
        {
            context.Response.StatusCode = turn.Status;
            await context.Response.WriteAsync("{\"error\":{\"message\":\"provider failure\"}}");
            return;
        }
        var function = turn.Tool is { } tool && body.RootElement.TryGetProperty("tools", out var tools)
            ? tools.EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!).First(n => n.EndsWith("_" + tool, StringComparison.Ordinal))
            : null;
        var usage = new { prompt_tokens = turn.InputTokens, completion_tokens = turn.OutputTokens, total_tokens = turn.InputTokens + turn.OutputTokens };
        if (!body.RootElement.TryGetProperty("stream", out var stream) || !stream.GetBoolean())
        {
            object message = function is null
                ? new { role = "assistant", content = turn.Text }
                : new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name = function, arguments = turn.Arguments } } } };
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new { id = "chatcmpl-1", choices = new[] { new { index = 0, message, finish_reason = "stop" } }, usage }));
            return;
        }
        context.Response.ContentType = "text/event-stream";
        async Task ChunkAsync(object chunk)
        {
            // Each event goes out in two writes, cut inside its JSON: the reader must join lines, not trust packets.
            var text = "data: " + JsonSerializer.Serialize(chunk) + "\n\n";
            var cut = text.Length / 2;
            await context.Response.WriteAsync(text[..cut]);
            await context.Response.Body.FlushAsync();
            await context.Response.WriteAsync(text[cut..]);
            await context.Response.Body.FlushAsync();
        }
        if (function is null)
        {
            var text = turn.Text ?? "";
            var pieces = Enumerable.Range(0, (text.Length + 4) / 5).Select(i => text.Substring(i * 5, Math.Min(5, text.Length - (i * 5)))).ToList();
            for (var i = 0; i < pieces.Count; i++)
            {
                await ChunkAsync(new { choices = new[] { new { index = 0, delta = new { content = pieces[i] } } } });
                if (turn.HangAfterFirstPiece)
                {
                    await _never.Task.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    return;
                }
            }
        }
        else
        {
            var arguments = turn.Arguments ?? "{}";
            var third = Math.Max(1, arguments.Length / 3);
            await ChunkAsync(new { choices = new[] { new { index = 0, delta = new { tool_calls = new[] { new { index = 0, id = "call_1", type = "function",
                function = new { name = function, arguments = arguments[..third] } } } } } } });
            await ChunkAsync(new { choices = new[] { new { index = 0, delta = new { tool_calls = new[] { new { index = 0, function = new { arguments = arguments[third..(2 * third)] } } } } } } });
            await ChunkAsync(new { choices = new[] { new { index = 0, delta = new { tool_calls = new[] { new { index = 0, function = new { arguments = arguments[(2 * third)..] } } } } } } });
        }
        await ChunkAsync(new { choices = Array.Empty<object>(), usage });
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    public async ValueTask DisposeAsync()
    {
        _never.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
