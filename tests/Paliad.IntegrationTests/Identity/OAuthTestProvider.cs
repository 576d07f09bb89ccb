using System.Text;
using Paliad.IntegrationTests.CalDav;

namespace Paliad.IntegrationTests.Identity;

/// <summary>
/// The run's OAuth 2.0 CalDAV provider, like Google's: a real authorization server, and in front of Radicale a proxy
/// that admits only bearer tokens the authorization server says are active (introspection), answering 401 otherwise,
/// and forwards admitted requests to Radicale as its test user. Configured into every test host as provider
/// <see cref="Name"/>.
/// </summary>
public sealed class OAuthTestProvider : IAsyncDisposable
{
    public const string Name = "test";
    public const string DisplayName = "Test Calendar";

    /// <summary>Access tokens live this long; tests make one due by moving its stored expiry.</summary>
    public static readonly TimeSpan AccessTokenLifetime = TimeSpan.FromHours(1);

    private int _refused;

    private OAuthTestProvider(TestAuthorizationServer server, FaultProxy front)
    {
        Server = server;
        Front = front;
    }

    public TestAuthorizationServer Server { get; }

    /// <summary>The provider's CalDAV address: the introspecting proxy in front of Radicale.</summary>
    public FaultProxy Front { get; }

    /// <summary>Requests the front refused with 401.</summary>
    public int Refused => Volatile.Read(ref _refused);

    public static async Task<OAuthTestProvider> StartAsync()
    {
        var server = await TestAuthorizationServer.StartAsync(AccessTokenLifetime);
        var front = await FaultProxy.StartAsync(CalDavServers.Url(CalDavServers.Radicale));
        var provider = new OAuthTestProvider(server, front);
        var radicale = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{CalDavServers.Username}:{CalDavServers.Password}"));
        front.Gatekeeper = async authorization =>
        {
            if (authorization is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) && await server.IsActiveAsync(header["Bearer ".Length..]))
            {
                return radicale;
            }

            Interlocked.Increment(ref provider._refused);
            return null;
        };
        await server.AllowRedirectUriAsync(new Uri($"http://localhost/api/caldav-oauth/{Name}/callback"));
        return provider;
    }

    /// <summary>The host settings that configure this provider.</summary>
    public Dictionary<string, string> Settings() => new()
    {
        [$"CalDav:OAuth:Providers:{Name}:DisplayName"] = DisplayName,
        [$"CalDav:OAuth:Providers:{Name}:AuthorizationEndpoint"] = Server.AuthorizationEndpoint.ToString(),
        [$"CalDav:OAuth:Providers:{Name}:TokenEndpoint"] = Server.TokenEndpoint.ToString(),
        [$"CalDav:OAuth:Providers:{Name}:RevocationEndpoint"] = Server.RevocationEndpoint.ToString(),
        [$"CalDav:OAuth:Providers:{Name}:ClientId"] = TestAuthorizationServer.ClientId,
        [$"CalDav:OAuth:Providers:{Name}:ClientSecret"] = TestAuthorizationServer.ClientSecret,
        [$"CalDav:OAuth:Providers:{Name}:Scopes"] = TestAuthorizationServer.Scopes,
        [$"CalDav:OAuth:Providers:{Name}:ServerUrl"] = Front.Url.ToString(),

        // Like Google's: the server makes no calendars.
        [$"CalDav:OAuth:Providers:{Name}:CreatesCalendars"] = "false",
    };

    public async ValueTask DisposeAsync()
    {
        await Front.DisposeAsync();
        await Server.DisposeAsync();
    }
}
