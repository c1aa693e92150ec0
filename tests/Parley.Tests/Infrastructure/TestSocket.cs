using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// A real WebSocket client (to the agent channel /v1/ws, or the listener channel /v1/devices/ws) that queues every
/// frame it receives, and remembers how the socket closed.
/// </summary>
public sealed class TestSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly TaskCompletionSource<WebSocketCloseStatus?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _reader;

    public bool AnswerPings { get; set; }
    public Task<WebSocketCloseStatus?> Closed => _closed.Task;

    public static async Task<TestSocket> ConnectAsync(Uri baseAddress, string? bearer = null, string? helloKey = null, string path = "/v1/ws")
    {
        var socket = new TestSocket();
        if (bearer is not null)
        {
            socket._socket.Options.SetRequestHeader("Authorization", "Bearer " + bearer);
        }
        socket._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        var uri = new UriBuilder(baseAddress) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws", Path = path }.Uri;
        await socket._socket.ConnectAsync(uri, CancellationToken.None);
        socket._reader = socket.ReadLoopAsync();
        if (helloKey is not null)
        {
            await socket.SendAsync(new { type = "hello", api_key = helloKey });
        }
        return socket;
    }

    /// <summary>Connects with the key in the header and waits for hello.ok.</summary>
    public static async Task<TestSocket> OpenAsync(Uri baseAddress, string key)
    {
        var socket = await ConnectAsync(baseAddress, key);
        await socket.ExpectAsync("hello.ok");
        return socket;
    }

    public async Task SendAsync(object frame) =>
        await _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Sends a text frame exactly as given (for frames no serializer would write).</summary>
    public async Task SendTextAsync(string text) =>
        await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next frame of this type (frames of other types before it are skipped unless listed in <paramref name="failOn"/>).</summary>
    public async Task<JsonElement> ExpectAsync(string type, TimeSpan? timeout = null, params string[] failOn)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            JsonElement frame;
            try
            {
                frame = await _frames.Reader.ReadAsync(cts.Token);
            }
            catch (ChannelClosedException)
            {
                throw new InvalidOperationException($"socket closed ({_closed.Task.Result}) while waiting for {type}");
            }
            var actual = frame.GetProperty("type").GetString();
            if (actual == type)
            {
                return frame;
            }
            Assert.DoesNotContain(actual, failOn);
        }
    }

    /// <summary>Frames already received, without waiting.</summary>
    public List<JsonElement> Drain()
    {
        var list = new List<JsonElement>();
        while (_frames.Reader.TryRead(out var frame))
        {
            list.Add(frame);
        }
        return list;
    }

    public async Task<WebSocketCloseStatus?> WaitClosedAsync(TimeSpan? timeout = null) => await _closed.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(20));

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _closed.TrySetResult(result.CloseStatus);
                        _frames.Writer.TryComplete();
                        if (_socket.State == WebSocketState.CloseReceived)
                        {
                            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                        }
                        return;
                    }
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                var frame = JsonDocument.Parse(Encoding.UTF8.GetString(message.ToArray())).RootElement.Clone();
                if (AnswerPings && frame.GetProperty("type").GetString() == "ping")
                {
                    await SendAsync(new { type = "pong" });
                }
                _frames.Writer.TryWrite(frame);
            }
        }
        catch (WebSocketException)
        {
            _closed.TrySetResult(null);
            _frames.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        if (_reader is not null)
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        _socket.Dispose();
    }
}
