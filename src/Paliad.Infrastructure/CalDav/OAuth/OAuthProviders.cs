using Microsoft.Extensions.Options;
using Paliad.Application.CalDav.OAuth;

namespace Paliad.Infrastructure.CalDav.OAuth;

/// <summary>The providers as configured over their presets. A provider is offered when it has a client id and every
/// endpoint and address is an absolute http(s) URL; anything else is left out (and said at start).</summary>
internal sealed class OAuthProviders : IOAuthProviders
{
    private readonly Dictionary<string, (OAuthProviderInfo Info, OAuthProviderOptions Options)> _providers = new(StringComparer.OrdinalIgnoreCase);

    public OAuthProviders(IOptions<OAuthOptions> options)
    {
        foreach (var (name, configured) in options.Value.Providers)
        {
            var provider = configured.Over(OAuthProviderOptions.Preset(name));
            if (Usable(provider) && Uri.TryCreate(provider.ServerUrl, UriKind.Absolute, out var server))
            {
                var key = name.ToLowerInvariant();
                _providers[key] = (new OAuthProviderInfo(key, provider.DisplayName ?? name, server, provider.CreatesCalendars ?? true), provider);
            }
        }

        Configured = _providers.Values.Select(p => p.Info).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<OAuthProviderInfo> Configured { get; }

    public OAuthProviderInfo? Find(string name) => _providers.TryGetValue(name, out var provider) ? provider.Info : null;

    /// <summary>The endpoints and client of a configured provider.</summary>
    public OAuthProviderOptions Options(string name)
        => _providers.TryGetValue(name, out var provider) ? provider.Options : throw new OAuthUnavailableException($"No OAuth provider '{name}' is configured.");

    private static bool Usable(OAuthProviderOptions provider)
        => !string.IsNullOrWhiteSpace(provider.ClientId)
           && IsHttp(provider.AuthorizationEndpoint) && IsHttp(provider.TokenEndpoint) && IsHttp(provider.ServerUrl)
           && (provider.RevocationEndpoint is null || IsHttp(provider.RevocationEndpoint));

    private static bool IsHttp(string? url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http";
}
