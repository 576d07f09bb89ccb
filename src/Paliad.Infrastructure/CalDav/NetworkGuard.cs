using System.Net;
using System.Net.Sockets;

namespace Paliad.Infrastructure.CalDav;

/// <summary>
/// The SSRF guard. A CalDAV server URL is user input, so unless CalDav:AllowPrivateNetworks is on, the client only
/// connects to public addresses: loopback, private, link-local, CGNAT, unique-local, multicast and unspecified
/// addresses are refused. The check runs on the resolved address at connect time, so DNS tricks do not get past it.
/// </summary>
public static class NetworkGuard
{
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
                     || (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8)); // 2001:db8::/32 documentation
        }

        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => false,
            100 when b[1] is >= 64 and <= 127 => false, // 100.64.0.0/10 carrier-grade NAT
            169 when b[1] == 254 => false, // link-local, cloud metadata
            172 when b[1] is >= 16 and <= 31 => false,
            192 when b[1] == 168 => false,
            192 when b[1] == 0 && b[2] == 0 => false,
            198 when b[1] is 18 or 19 => false, // benchmarking
            >= 224 => false, // multicast and reserved
            _ => true,
        };
    }

    /// <summary>A ConnectCallback that resolves the host, keeps the allowed addresses and connects to one of them.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(Func<bool> allowPrivateNetworks)
        => async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            if (!allowPrivateNetworks())
            {
                addresses = addresses.Where(IsPublic).ToArray();
                if (addresses.Length == 0)
                {
                    throw new CalDavAddressNotAllowedException(
                        $"'{host}' resolves to a loopback, private or link-local address; set CalDav:AllowPrivateNetworks for local servers.");
                }
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
