namespace Paliad.Infrastructure.CalDav.OAuth;

/// <summary>Configuration section "CalDav:OAuth": the OAuth 2.0 providers CalDAV accounts may connect through.</summary>
public sealed class OAuthOptions
{
    public const string Section = "CalDav:OAuth";

    /// <summary>By name (the word in /api/caldav-oauth/{provider}/…). <c>google</c> comes preset: only ClientId and
    /// ClientSecret need setting.</summary>
    public Dictionary<string, OAuthProviderOptions> Providers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>An access token this close to its expiry is refreshed before it is used.</summary>
    public double RefreshAheadSeconds { get; set; } = 120;

    /// <summary>Time one request to a provider's token or revocation endpoint may take.</summary>
    public double RequestTimeoutSeconds { get; set; } = 15;

    /// <summary>Paliad's public address, when requests reach it through a proxy that changes the host: the redirect
    /// URI is <c>{PublicBaseUrl}/api/caldav-oauth/{provider}/callback</c> (default: the address the page was served from).</summary>
    public string? PublicBaseUrl { get; set; }
}

/// <summary>One provider (CalDav:OAuth:Providers:&lt;name&gt;).</summary>
public sealed class OAuthProviderOptions
{
    public string? DisplayName { get; set; }

    public string? AuthorizationEndpoint { get; set; }

    public string? TokenEndpoint { get; set; }

    public string? RevocationEndpoint { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Space-separated scopes asked for.</summary>
    public string? Scopes { get; set; }

    /// <summary>The CalDAV server the grant opens (where discovery starts).</summary>
    public string? ServerUrl { get; set; }

    /// <summary>Whether the server creates calendars (MKCALENDAR). Google's does not.</summary>
    public bool? CreatesCalendars { get; set; }

    /// <summary>Extra parameters of the authorization request (Google: access_type=offline and prompt=consent, so a
    /// refresh token is given every time).</summary>
    public Dictionary<string, string> AuthorizationParameters { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Presets by name: what the provider publishes, so an operator sets only the client id and secret.</summary>
    internal static OAuthProviderOptions? Preset(string name) => name.ToLowerInvariant() switch
    {
        "google" => new OAuthProviderOptions
        {
            DisplayName = "Google Calendar",
            AuthorizationEndpoint = "https://accounts.google.com/o/oauth2/v2/auth",
            TokenEndpoint = "https://oauth2.googleapis.com/token",
            RevocationEndpoint = "https://oauth2.googleapis.com/revoke",

            // CalDAV needs the full calendar scope; openid email names the account on the page.
            Scopes = "https://www.googleapis.com/auth/calendar openid email",
            ServerUrl = "https://apidata.googleusercontent.com/caldav/v2/",
            CreatesCalendars = false,
            AuthorizationParameters = { ["access_type"] = "offline", ["prompt"] = "consent" },
        },
        _ => null,
    };

    /// <summary>The configured values over the preset's.</summary>
    internal OAuthProviderOptions Over(OAuthProviderOptions? preset)
    {
        if (preset is null)
        {
            return this;
        }

        var merged = new OAuthProviderOptions
        {
            DisplayName = DisplayName ?? preset.DisplayName,
            AuthorizationEndpoint = AuthorizationEndpoint ?? preset.AuthorizationEndpoint,
            TokenEndpoint = TokenEndpoint ?? preset.TokenEndpoint,
            RevocationEndpoint = RevocationEndpoint ?? preset.RevocationEndpoint,
            ClientId = ClientId ?? preset.ClientId,
            ClientSecret = ClientSecret ?? preset.ClientSecret,
            Scopes = Scopes ?? preset.Scopes,
            ServerUrl = ServerUrl ?? preset.ServerUrl,
            CreatesCalendars = CreatesCalendars ?? preset.CreatesCalendars,
        };
        foreach (var (key, value) in preset.AuthorizationParameters.Concat(AuthorizationParameters))
        {
            merged.AuthorizationParameters[key] = value;
        }

        return merged;
    }
}
