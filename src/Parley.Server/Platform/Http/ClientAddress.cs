using System.Net;

namespace Parley.Server.Platform.Http;

/// <summary>
/// The client's IP for per-IP limits and idempotency scopes: the socket's address, or the right-most address of
/// <c>X-Forwarded-For</c> that is not a trusted proxy, when the socket peer is one of <c>Network:TrustedProxies</c>.
/// </summary>
internal static class ClientAddress
{
    public static string Of(HttpContext context, ParleyOptions options)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            return "unknown";
        }
        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }
        var trusted = options.Network.TrustedProxies;
        if (trusted.Length == 0 || !IsTrusted(remote, trusted))
        {
            return remote.ToString();
        }
        var forwarded = context.Request.Headers["X-Forwarded-For"].ToString();
        var hops = forwarded.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(hops[i], out var hop))
            {
                break;
            }
            if (!IsTrusted(hop, trusted))
            {
                return hop.ToString();
            }
        }
        return remote.ToString();
    }

    private static bool IsTrusted(IPAddress address, string[] trusted) =>
        trusted.Any(t => IPNetwork.TryParse(t.Contains('/', StringComparison.Ordinal) ? t : t + (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "/32" : "/128"), out var net) && net.Contains(address));
}
