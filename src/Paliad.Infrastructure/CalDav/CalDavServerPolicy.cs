using System.Net;
using Microsoft.Extensions.Options;
using Paliad.Application.CalDav;

namespace Paliad.Infrastructure.CalDav;

/// <summary>Refuses, at save time, server URLs that name a loopback/private/link-local address or localhost
/// (unless CalDav:AllowPrivateNetworks). Names that resolve to such addresses are refused at connect time.</summary>
internal sealed class CalDavServerPolicy(IOptionsMonitor<CalDavOptions> options) : ICalDavServerPolicy
{
    public string? Refusal(string serverUrl)
    {
        if (options.CurrentValue.AllowPrivateNetworks || !Uri.TryCreate(serverUrl, UriKind.Absolute, out var url))
        {
            return null;
        }

        var host = url.Host.Trim('[', ']');
        var local = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
                    || (IPAddress.TryParse(host, out var address) && !NetworkGuard.IsPublic(address));
        return local ? $"'serverUrl': {NetworkGuard.NotAllowed}." : null;
    }
}
