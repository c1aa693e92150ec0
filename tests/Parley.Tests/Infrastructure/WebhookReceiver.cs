using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Threading.Channels;

namespace Parley.Tests.Infrastructure;

/// <summary>A real HTTP endpoint on loopback that records every webhook it receives and answers as the test says.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly ConcurrentQueue<TaskCompletionSource> _stalled = new();
    private readonly Task _loop;

    public sealed record Received(string Path, IReadOnlyDictionary<string, string> Headers, string Body);

    public WebhookReceiver()
    {
        var port = ServerProcess.FreePort();
        Url = $"http://127.0.0.1:{port}/hook";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = LoopAsync();
    }

    public string Url { get; }

    /// <summary>What the next requests get: a status, or <c>null</c> to never answer (the caller's timeout decides).</summary>
    public Func<Received, int?> Respond { get; set; } = _ => 200;

    public int Count { get; private set; }

    public async Task<Received> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        return await _received.Reader.ReadAsync(cts.Token);
    }

    public bool TryNext(out Received? received) => _received.Reader.TryRead(out received);

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = HandleAsync(context);
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!);
        var received = new Received(context.Request.Url!.AbsolutePath, headers, body);
        Count++;
        var status = Respond(received);
        await _received.Writer.WriteAsync(received);
        if (status is null)
        {
            var stall = new TaskCompletionSource();
            _stalled.Enqueue(stall);
            await stall.Task;
            context.Response.Abort();
            return;
        }
        context.Response.StatusCode = status.Value;
        if (status.Value is >= 300 and < 400)
        {
            context.Response.RedirectLocation = Url + "/elsewhere";
        }
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        while (_stalled.TryDequeue(out var stall))
        {
            stall.TrySetResult();
        }
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
