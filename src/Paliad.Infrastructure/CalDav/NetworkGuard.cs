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
    /// <summary>What a refused address is told: the same words whether the name resolved to a private address or not
    /// at all, so the message is no oracle for an internal DNS.</summary>
    public const string NotAllowed = "address not allowed: Paliad connects only to CalDAV servers on public Internet addresses";

    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6 || IsIPv4Translated(address))
        {
            // ::ffff:0:0/96 and ::ffff:0:0:0/96 name IPv4 hosts through IPv6 sockets: no server is configured that way,
            // and a stack may route them as the IPv4 host, so none is public whatever it embeds.
            return false;
        }

        if (EmbeddedIPv4(address) is { } embedded)
        {
            // Mapped, compatible, NAT64, 6to4 and Teredo addresses reach an IPv4 host: judge that host.
            return embedded.All(IsPublic);
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal
                     || (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8) // 2001:db8::/32 documentation
                     || (bytes[0] == 0x01 && bytes.Skip(1).Take(7).All(b => b == 0))); // 100::/64 discard-only
        }

        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => false,
            100 when b[1] is >= 64 and <= 127 => false, // 100.64.0.0/10 carrier-grade NAT
            169 when b[1] == 254 => false, // link-local, cloud metadata
            172 when b[1] is >= 16 and <= 31 => false,
            192 when b[1] == 168 => false,
            192 when b[1] == 0 && b[2] is 0 or 2 => false, // IETF protocol assignments, TEST-NET-1
            198 when b[1] is 18 or 19 => false, // benchmarking
            198 when b[1] == 51 && b[2] == 100 => false, // TEST-NET-2
            203 when b[1] == 0 && b[2] == 113 => false, // TEST-NET-3
            168 when b[1] == 63 && b[2] == 129 && b[3] == 16 => false, // Azure's platform endpoint (wireserver)
            >= 224 => false, // multicast and reserved
            _ => true,
        };
    }

    /// <summary>The IPv4 addresses an IPv6 address carries to: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
    /// (::a.b.c.d), NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48, in the /96 layout of RFC 6052), 6to4
    /// (2002:AABB:CCDD::/48) and Teredo (2001:0::/32: the server, and the client XOR-obfuscated in the last 32 bits).
    /// Null for any other address.</summary>
    public static IReadOnlyList<IPAddress>? EmbeddedIPv4(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        var b = address.GetAddressBytes();
        IPAddress Last32(bool invert = false)
            => new(invert ? [(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]] : b[12..16]);

        if (address.IsIPv4MappedToIPv6)
        {
            return [address.MapToIPv4()];
        }

        if (b[..12].All(x => x == 0) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1))
        {
            return [Last32()]; // IPv4-compatible (deprecated, but still routed by some stacks); :: and ::1 excluded
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b
            && (b[4..12].All(x => x == 0) || (b[4] == 0x00 && b[5] == 0x01)))
        {
            return [Last32()];
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return [new IPAddress(b[2..6])];
        }

        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
        {
            return [new IPAddress(b[4..8]), Last32(invert: true)];
        }

        return null;
    }

    private static bool IsIPv4Translated(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var b = address.GetAddressBytes();
        return b[..8].All(x => x == 0) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0;
    }

    /// <summary>The addresses <paramref name="host"/> may be reached at: all of them with private networks allowed,
    /// else the public ones (none: refused).</summary>
    public static async Task<IPAddress[]> ResolveAllowedAsync(string host, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.Trim('[', ']');
        if (allowPrivateNetworks)
        {
            return IPAddress.TryParse(name, out var any) ? [any] : await Dns.GetHostAddressesAsync(name, cancellationToken);
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(name, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(name, cancellationToken);
        }
        catch (SocketException)
        {
            addresses = []; // a name that does not resolve is told the same as one that resolves to a private address
        }

        addresses = addresses.Where(IsPublic).ToArray();
        return addresses.Length > 0 ? addresses : throw new CalDavAddressNotAllowedException($"'{host}': {NotAllowed}.");
    }

    /// <summary>A ConnectCallback that resolves the host, keeps the allowed addresses and connects to one of them. A
    /// connection to the configured proxy (CalDav:Proxy, the operator's choice) is not judged here: the target behind
    /// it is, by <see cref="CalDavTransportHandler"/>.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(Func<CalDavOptions> options)
        => async (context, cancellationToken) =>
        {
            var current = options();
            var endpoint = context.DnsEndPoint;
            var toProxy = current.ProxyUri is { } proxy
                          && string.Equals(proxy.IdnHost, endpoint.Host, StringComparison.OrdinalIgnoreCase) && proxy.Port == endpoint.Port;
            var addresses = await ResolveAllowedAsync(endpoint.Host, current.AllowPrivateNetworks || toProxy, cancellationToken);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
}
