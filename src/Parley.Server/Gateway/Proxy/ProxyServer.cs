using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Parley.Contracts.Json;
using Parley.Server.Platform.Errors;

namespace Parley.Server.Gateway.Proxy;

/// <summary>
/// The gateway's HTTP forward proxy (gateway.md) on its own listeners (<c>Gateway:ProxyUrls</c>): a Kestrel server of
/// its own, so HTTP parsing is Kestrel's. A connection that opens with <c>CONNECT host:port</c> is authenticated
/// (<c>Proxy-Authorization</c>, else 407), answered <c>200 Connection established</c>, and its TLS terminated here with a
/// certificate for that host from the deployment's CA (<see cref="GatewayCa"/>, <see cref="SslStream"/>); the
/// decrypted requests then go through Kestrel like any other. Every request — plain absolute-form <c>http://</c> or
/// inside a tunnel — is one governed call (<see cref="ProxyRequests"/>). A client that does not trust the CA fails its
/// handshake and nothing is sent anywhere.
/// </summary>
internal sealed class ProxyServer(IServiceProvider services, GatewayCa ca, IOptions<GatewayOptions> options, ILogger<ProxyServer> logger)
    : IHostedService, IAsyncDisposable
{
    public const string TunnelKey = "parley.tunnel";
    private WebApplication? _app;

    /// <summary>Where the proxy listens (resolved ports), once started.</summary>
    public IReadOnlyList<Uri> Addresses { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = options.Value.ProxyUrls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0)
        {
            return;
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            foreach (var url in urls)
            {
                var uri = new Uri(url);
                var address = uri.Host is "localhost" ? IPAddress.Loopback : uri.Host is "*" or "+" ? IPAddress.Any : IPAddress.Parse(uri.Host.Trim('[', ']'));
                kestrel.Listen(address, uri.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(next => connection => TunnelAsync(connection, next));
                });
            }
        });
        _app = builder.Build();
        var requests = new ProxyRequests(services);
        _app.Run(requests.HandleAsync);
        await _app.StartAsync(cancellationToken);
        Addresses = [.. _app.Urls.Select(u => new Uri(u))];
        logger.LogInformation("Gateway proxy listening on {Addresses}", string.Join(", ", Addresses));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Intercepts a connection that opens with CONNECT; anything else goes to Kestrel untouched.</summary>
    private async Task TunnelAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var input = connection.Transport.Input;
        var read = await input.ReadAsync(connection.ConnectionClosed);
        while (read.Buffer.Length < 8 && !read.IsCompleted)
        {
            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await input.ReadAsync(connection.ConnectionClosed);
        }
        if (!StartsWith(read.Buffer, "CONNECT "u8))
        {
            input.AdvanceTo(read.Buffer.Start);
            await next(connection);
            return;
        }
        var head = await ReadHeadAsync(input, read, connection.ConnectionClosed);
        if (head is null)
        {
            return;
        }
        var output = connection.Transport.Output;
        var (target, credential) = Parse(head);
        if (target is null || !TrySplit(target, out var host, out var port))
        {
            await WriteErrorAsync(output, ApiErrors.Validation("target", "CONNECT needs host:port"));
            return;
        }
        await using (var scope = services.CreateAsyncScope())
        {
            try
            {
                await ProxyRequests.AuthenticateAsync(scope.ServiceProvider, credential, connection.ConnectionClosed);
            }
            catch (ApiException e)
            {
                await WriteErrorAsync(output, e);
                return;
            }
        }
        await output.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), connection.ConnectionClosed);
        var transport = connection.Transport;
        var ssl = new SslStream(new DuplexPipeStream(transport), leaveInnerStreamOpen: true);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = await ca.ContextForAsync(host, connection.ConnectionClosed),
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                ClientCertificateRequired = false,
            }, connection.ConnectionClosed);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            // Typically a client that does not trust Parley's CA: nothing was asked, nothing is sent.
            logger.LogDebug("TLS with a proxy client for {Host} failed: {Reason}", host, e.Message);
            await ssl.DisposeAsync();
            return;
        }
        connection.Transport = new StreamPipe(ssl);
        connection.Items[TunnelKey] = new Tunnel(host, port, credential!);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
            await ssl.DisposeAsync();
        }
    }

    /// <summary>Reads up to the blank line that ends the CONNECT head (at most 16 KiB), and consumes it.</summary>
    private static async Task<string?> ReadHeadAsync(PipeReader input, ReadResult read, CancellationToken ct)
    {
        while (true)
        {
            var buffer = read.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> head, "\r\n\r\n"u8, advancePastDelimiter: true))
            {
                var text = Encoding.ASCII.GetString(head.ToArray());
                input.AdvanceTo(reader.Position);
                return text;
            }
            if (buffer.Length > 16 * 1024 || read.IsCompleted)
            {
                input.AdvanceTo(buffer.End);
                return null;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            read = await input.ReadAsync(ct);
        }
    }

    private static (string? Target, string? Credential) Parse(string head)
    {
        var lines = head.Split("\r\n");
        var first = lines[0].Split(' ');
        var target = first.Length == 3 ? first[1] : null;
        string? authorization = null;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase))
            {
                authorization = line[(colon + 1)..].Trim();
            }
        }
        return (target, ProxyRequests.CredentialOf(authorization));
    }

    private static bool TrySplit(string target, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target[(colon + 1)..], out port) || port is < 1 or > 65535)
        {
            return false;
        }
        host = target[..colon].Trim('[', ']');
        return Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }

    private static bool StartsWith(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> prefix)
    {
        if (buffer.Length < prefix.Length)
        {
            return false;
        }
        Span<byte> first = stackalloc byte[prefix.Length];
        buffer.Slice(0, prefix.Length).CopyTo(first);
        return first.SequenceEqual(prefix);
    }

    /// <summary>A catalog error written by hand on a connection Kestrel has not parsed (the CONNECT step).</summary>
    private static async Task WriteErrorAsync(PipeWriter output, ApiException error)
    {
        var status = ProxyRequests.StatusOf(error);
        var body = JsonSerializer.SerializeToUtf8Bytes(ErrorWriter.Envelope(error, "proxy_" + Guid.NewGuid().ToString("N")[..16], null, status), ParleyJson.Options);
        var headers = new StringBuilder()
            .Append($"HTTP/1.1 {status} {(status == 407 ? "Proxy Authentication Required" : "Error")}\r\n")
            .Append("Content-Type: application/json; charset=utf-8\r\n")
            .Append($"X-Error-Code: {error.Code}\r\n")
            .Append(status == 407 ? "Proxy-Authenticate: Basic realm=\"parley\"\r\n" : "")
            .Append($"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await output.WriteAsync(Encoding.ASCII.GetBytes(headers.ToString()));
        await output.WriteAsync(body);
        await output.FlushAsync();
    }
}

/// <summary>A CONNECT tunnel: where it goes, and the credential that opened it (checked again for every request inside).</summary>
internal sealed record Tunnel(string Host, int Port, string Credential);

/// <summary>A <see cref="Stream"/> over a connection's pipes, for <see cref="SslStream"/>.</summary>
internal sealed class DuplexPipeStream(IDuplexPipe pipe) : Stream
{
    private readonly Stream _input = pipe.Input.AsStream(leaveOpen: true);
    private readonly Stream _output = pipe.Output.AsStream(leaveOpen: true);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _input.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _output.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => _output.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input.Dispose();
            _output.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>Pipes over a stream (the decrypted side of a tunnel), as Kestrel's transport.</summary>
internal sealed class StreamPipe(Stream stream) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
}
