using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Parley.Server.Platform.Http;

/// <summary>
/// The one HTTP client for calls to addresses that users give the server (webhooks today, the gateway next). It
/// follows no redirects, and the address it actually connects to — after DNS, so a name cannot smuggle one in — must
/// not be private, loopback or link-local unless <c>Network:AllowPrivateAddresses</c> is set. Timeouts are the
/// caller's (per request, on the injected clock).
/// </summary>
internal sealed class OutboundHttp(IOptionsMonitor<ParleyOptions> options, OutboundTrust trust) : IDisposable
{
    /// <summary>How the connect step words a refused address (the gateway answers it as <c>POLICY_BLOCKED {reason: private_address}</c>).</summary>
    public const string RefusedPrefix = "refused: the address is private";

    private readonly Lazy<HttpClient> _client = new(() => Create(() => options.CurrentValue.Network.AllowPrivateAddresses, trust));

    public HttpClient Client => _client.Value;

    /// <summary>
    /// Whether a URL names a private address literally, which is refused at registration already (names are checked
    /// when connecting).
    /// </summary>
    public bool IsRefusedLiteral(Uri uri) =>
        !options.CurrentValue.Network.AllowPrivateAddresses && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) && IsPrivate(literal);

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    private static HttpClient Create(Func<bool> allowPrivate, OutboundTrust trust)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = trust.Validate },
            ConnectCallback = async (context, ct) =>
            {
                var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
                foreach (var address in addresses)
                {
                    if (!allowPrivate() && IsPrivate(address))
                    {
                        continue;
                    }
                    var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                }
                throw new HttpRequestException(RefusedPrefix + ", loopback or link-local");
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Loopback, private (RFC 1918, unique local), link-local, carrier-grade NAT and unspecified addresses.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
        }
        var b = address.GetAddressBytes();
        return b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127) || b[0] == 0;
    }
}

/// <summary>
/// Which server certificates outbound calls accept: the system's trust, plus the CA certificates of
/// <c>Gateway:UpstreamTrustedCaFile</c> (a private CA, or a test's) — with the host name always checked.
/// </summary>
internal sealed class OutboundTrust
{
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2Collection _extra = [];

    public OutboundTrust(string? caFile)
    {
        if (!string.IsNullOrEmpty(caFile))
        {
            _extra.ImportFromPemFile(caFile);
        }
    }

    public bool Validate(object sender, System.Security.Cryptography.X509Certificates.X509Certificate? certificate,
        System.Security.Cryptography.X509Certificates.X509Chain? chain, System.Net.Security.SslPolicyErrors errors)
    {
        if (errors == System.Net.Security.SslPolicyErrors.None)
        {
            return true;
        }
        if (errors != System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors || _extra.Count == 0 || certificate is null)
        {
            return false;
        }
        using var custom = new System.Security.Cryptography.X509Certificates.X509Chain();
        custom.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_extra);
        custom.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            custom.ChainPolicy.ExtraStore.AddRange(chain.ChainPolicy.ExtraStore);
        }
        using var leaf = new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate);
        return custom.Build(leaf);
    }
}
