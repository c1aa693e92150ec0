using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Parley.Contracts.Json;

namespace Parley.Server.Platform.WebSockets;

/// <summary>
/// JSON frames over one WebSocket, the mechanics both live channels share (agents' <c>/v1/ws</c>, devices'
/// <c>/v1/devices/ws</c>): one sender at a time; pings on the injected clock, closing (4000) a peer that sends nothing
/// within the patience after one; a close that lets the peer answer; and reads of whole frames that rent a buffer only
/// while one arrives, so an idle socket holds none.
/// </summary>
internal sealed class FrameSocket(WebSocket socket, TimeProvider time) : IDisposable
{
    public const WebSocketCloseStatus PingTimeout = (WebSocketCloseStatus)4000;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _lastHeardAt = time.GetTimestamp();

    /// <summary>Cancelled once the socket is closing or closed.</summary>
    public CancellationToken Stopping => _stop.Token;

    public bool IsOpen => socket.State == WebSocketState.Open;

    public async Task SendAsync(object frame, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, frame.GetType(), ParleyJson.Options);
        await _sendLock.WaitAsync(ct);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends what is not durable: a socket that is closing simply misses it.</summary>
    public async Task PushAsync(object frame)
    {
        try
        {
            await SendAsync(frame, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The next frame (any frame counts as a sign of life); null when the peer closed.</summary>
    public async Task<JsonElement?> ReceiveAsync(int maxBytes, CancellationToken ct)
    {
        var frame = await ReadFrameAsync(socket, maxBytes, ct);
        Interlocked.Exchange(ref _lastHeardAt, time.GetTimestamp());
        return frame;
    }

    /// <summary>
    /// Sends the close frame, then gives the peer a moment to answer it (the receive loop ends on the answer) before
    /// tearing down; cancelling a pending receive first would abort the socket and the peer would never see the code.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _sendLock.WaitAsync(timeout.Token);
            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    await socket.CloseOutputAsync(status, reason, timeout.Token);
                }
            }
            finally
            {
                _sendLock.Release();
            }
            await _finished.Task.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException or TimeoutException)
        {
        }
        finally
        {
            await StopAsync();
        }
    }

    /// <summary>
    /// Refuses a socket nobody reads from (authentication failed): sends the close and reads until the peer answers it
    /// (or two seconds pass), so the peer sees the code.
    /// </summary>
    public static async Task RefuseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
            var buffer = new byte[1024];
            while (socket.State is WebSocketState.CloseSent or WebSocketState.Open)
            {
                if ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    /// <summary>The owner's run is over: <see cref="CloseAsync"/> stops waiting for it.</summary>
    public void Finished() => _finished.TrySetResult();

    public async Task StopAsync()
    {
        try
        {
            await _stop.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Sends <paramref name="ping"/> every <paramref name="interval"/>; closes (4000) when nothing came back within <paramref name="patience"/>.</summary>
    public async Task PingLoopAsync(object ping, TimeSpan interval, TimeSpan patience, CancellationToken ct)
    {
        try
        {
            var nextPing = Task.Delay(interval, time, ct);
            while (!ct.IsCancellationRequested)
            {
                await nextPing;
                // Both timers exist before the ping leaves, so a test that sees the ping can move the clock at once.
                var sentAt = time.GetTimestamp();
                var deadline = Task.Delay(patience, time, ct);
                nextPing = Task.Delay(interval, time, ct);
                await SendAsync(ping, ct);
                await deadline;
                if (Interlocked.Read(ref _lastHeardAt) < sentAt)
                {
                    await CloseAsync(PingTimeout, "no pong within the timeout");
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _sendLock.Dispose();
    }

    private static async Task AnswerCloseAsync(WebSocket socket, CancellationToken ct)
    {
        if (socket.State == WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
        }
    }

    /// <summary>
    /// Reads one text frame as JSON; null when the peer closed. Frames over the limit or not JSON close the socket.
    /// It waits for the frame with a zero-byte read and rents a buffer only once data has arrived, so an idle
    /// connection holds no receive buffer.
    /// </summary>
    public static async Task<JsonElement?> ReadFrameAsync(WebSocket socket, int maxBytes, CancellationToken ct)
    {
        var first = await socket.ReceiveAsync(Memory<byte>.Empty, ct);
        if (first.MessageType == WebSocketMessageType.Close)
        {
            await AnswerCloseAsync(socket, ct);
            return null;
        }
        using var message = new MemoryStream();
        if (!first.EndOfMessage)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                while (true)
                {
                    var result = await socket.ReceiveAsync(buffer.AsMemory(), ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await AnswerCloseAsync(socket, ct);
                        return null;
                    }
                    message.Write(buffer, 0, result.Count);
                    if (message.Length > maxBytes)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "frame too large", ct);
                        return null;
                    }
                    if (result.EndOfMessage)
                    {
                        break;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        try
        {
            return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonDocument.Parse(Encoding.UTF8.GetBytes("{\"type\":null}")).RootElement.Clone();
        }
    }
}
