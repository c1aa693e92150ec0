using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Parley.Contracts.Json;

namespace Parley.Client;

/// <summary>
/// A WebSocket to the server that reconnects when it drops — with a doubling wait between attempts (±20 % jitter, so
/// clients cut off together do not all come back in the same instant) — and not when the server closes it with 1008
/// (the credential no longer holds): then the events end and <see cref="EndedWith"/> says why. The agent channel and
/// the listener channel are both this, with their own frames.
/// </summary>
/// <typeparam name="TEvent">What the socket hands out.</typeparam>
public abstract class ReconnectingSocket<TEvent> : IAsyncDisposable
{
    private readonly Uri _uri;
    private readonly string _credential;
    private readonly TimeSpan _firstDelay;
    private readonly TimeSpan _maxDelay;
    private readonly Channel<TEvent> _events = Channel.CreateUnbounded<TEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private ClientWebSocket? _socket;
    private Task? _loop;

    /// <summary>A socket to <paramref name="path"/> of the server, authenticated with <paramref name="credential"/>.</summary>
    protected ReconnectingSocket(Uri baseAddress, string path, string credential, TimeSpan firstDelay, TimeSpan maxDelay)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var builder = new UriBuilder(baseAddress) { Scheme = baseAddress.Scheme == "https" ? "wss" : "ws" };
        builder.Path = builder.Path.TrimEnd('/') + path;
        _uri = builder.Uri;
        _credential = credential;
        _firstDelay = firstDelay;
        _maxDelay = maxDelay;
    }

    /// <summary>How many times the socket has reconnected.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Why the socket ended, when the server closed it for good (1008: the credential is no longer valid).</summary>
    public WebSocketCloseStatus? EndedWith { get; private set; }

    /// <summary>Whether a socket is open now.</summary>
    public bool IsConnected => _socket is { State: WebSocketState.Open };

    /// <summary>The token that stops everything when the socket is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <summary>Every event, in order, until the socket ends.</summary>
    public IAsyncEnumerable<TEvent> ReadAllAsync(CancellationToken cancellationToken = default) => _events.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Opens the first socket and starts receiving; a failure to connect is thrown to the caller.</summary>
    protected async Task StartAsync(CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken);
        _loop = RunAsync();
    }

    /// <summary>Runs after each (re)connect, before frames are read (a hello, say).</summary>
    protected virtual Task OnOpenedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs when the socket dropped and is about to reconnect.</summary>
    protected virtual Task OnDroppedAsync() => Task.CompletedTask;

    /// <summary>Handles one frame from the server.</summary>
    protected abstract Task HandleAsync(JsonElement frame);

    /// <summary>Hands an event to the reader.</summary>
    protected ValueTask EmitAsync(TEvent item) => _events.Writer.WriteAsync(item);

    /// <summary>Sends a frame (one at a time).</summary>
    protected async Task SendAsync(object frame, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(frame, ParleyJson.Options);
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket!.SendAsync(bytes, WebSocketMessageType.Text, true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _credential);
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(_uri, cancellationToken);
        _socket?.Dispose();
        _socket = socket;
        await OnOpenedAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var delay = _firstDelay;
        while (!_stop.IsCancellationRequested)
        {
            var status = await ReceiveUntilClosedAsync(_socket!);
            if (_stop.IsCancellationRequested || status == WebSocketCloseStatus.PolicyViolation)
            {
                EndedWith = status;
                break;
            }
            // Dropped (network, server restart, ping timeout): reconnect with backoff.
            await OnDroppedAsync();
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Jitter(delay), _stop.Token);
                    await OpenAsync(_stop.Token);
                    Reconnects++;
                    delay = _firstDelay;
                    break;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException or OperationCanceledException)
                {
                    // Any failure to reach the server (refused, reset mid-handshake, a connect that timed out): wait and try again.
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _maxDelay.Ticks));
                }
            }
        }
        _events.Writer.TryComplete();
    }

    private static TimeSpan Jitter(TimeSpan delay) => TimeSpan.FromTicks((long)(delay.Ticks * (0.8 + (0.4 * RandomNumberGenerator.GetInt32(1000) / 1000.0))));

    private async Task<WebSocketCloseStatus?> ReceiveUntilClosedAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return result.CloseStatus;
                    }
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                await HandleAsync(JsonSerializer.Deserialize<JsonElement>(message.ToArray(), ParleyJson.Options));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_socket is { State: WebSocketState.Open })
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _socket?.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
        GC.SuppressFinalize(this);
    }
}
