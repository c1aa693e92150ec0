using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Parley.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder in front of a server, so a test can cut live connections the way a network does, or
/// point new connections at another node the way a load balancer does.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private Uri _target;
    private readonly ConcurrentDictionary<TcpClient, TcpClient> _pairs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public TcpRelay(Uri target)
    {
        _target = target;
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>Where new connections go.</summary>
    public Uri Target
    {
        get => _target;
        set => _target = value;
    }

    /// <summary>Resets every connection currently relayed.</summary>
    public void DropAll()
    {
        foreach (var (client, upstream) in _pairs)
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
            upstream.Close();
        }
        _pairs.Clear();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(_target.Host, _target.Port);
            }
            catch (SocketException)
            {
                client.Close();
                upstream.Dispose();
                continue;
            }
            _pairs[client] = upstream;
            _ = PipeAsync(client.GetStream(), upstream.GetStream());
            _ = PipeAsync(upstream.GetStream(), client.GetStream());
        }
    }

    private static async Task PipeAsync(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        await _accepting;
        _stop.Dispose();
    }
}
