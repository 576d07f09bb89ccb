using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Paliad.IntegrationTests.Identity;

/// <summary>
/// A real OAuth 2.0 authorization server (OpenIddict 7) standing in for Google: authorization code with PKCE (S256
/// only), refresh tokens that rotate (a used one is refused at once, and using it again revokes the whole grant),
/// revocation and introspection, reference access tokens (so only introspection can say whether one is active). Its
/// consent screen approves one person at once — or refuses, when <see cref="DenyConsent"/> is set.
/// </summary>
public sealed class TestAuthorizationServer : IAsyncDisposable
{
    public const string ClientId = "paliad";
    public const string ClientSecret = "paliad-client-secret";
    public const string ProxyClientId = "caldav-proxy";
    public const string ProxyClientSecret = "caldav-proxy-secret";
    public const string Email = "alice.calendar@provider.example";
    public const string Scopes = "openid email offline_access";

    private readonly WebApplication _app;
    private readonly HttpClient _http = new();
    private int _refreshGrants;
    private int _codeGrants;

    private TestAuthorizationServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public Uri AuthorizationEndpoint => new(BaseUri, "connect/authorize");

    public Uri TokenEndpoint => new(BaseUri, "connect/token");

    public Uri RevocationEndpoint => new(BaseUri, "connect/revoke");

    public Uri IntrospectionEndpoint => new(BaseUri, "connect/introspect");

    /// <summary>The next consents are refused (error=access_denied).</summary>
    public bool DenyConsent { get; set; }

    /// <summary>Refresh grants served (a refused refresh is not one).</summary>
    public int RefreshGrants => Volatile.Read(ref _refreshGrants);

    public int CodeGrants => Volatile.Read(ref _codeGrants);

    public static async Task<TestAuthorizationServer> StartAsync(TimeSpan accessTokenLifetime)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var database = "oauth-" + Guid.NewGuid().ToString("N");
        builder.Services.AddDbContext<DbContext>(db => db.UseInMemoryDatabase(database).UseOpenIddict());
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<DbContext>().DisableBulkOperations()) // InMemory has no ExecuteUpdate
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetIntrospectionEndpointUris("connect/introspect");
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().RequireProofKeyForCodeExchange();
                server.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                server.RegisterScopes(OpenIddictConstants.Scopes.OpenId, OpenIddictConstants.Scopes.Email, OpenIddictConstants.Scopes.OfflineAccess);
                server.SetAccessTokenLifetime(accessTokenLifetime)
                    .SetRefreshTokenLifetime(TimeSpan.FromHours(1))
                    .SetRefreshTokenReuseLeeway(null); // a used refresh token is refused at once: rotation is strict
                server.UseReferenceAccessTokens();
                server.AddEphemeralSigningKey(SecurityAlgorithms.EcdsaSha256).AddEphemeralEncryptionKey(SecurityAlgorithms.Aes256KW);
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });

        var app = builder.Build();
        var server = new TestAuthorizationServer(app);
        app.UseRouting();
        app.UseAuthentication();
        app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Delegate)server.Authorize);
        app.MapPost("/connect/token", (Delegate)server.TokenAsync);
        await app.StartAsync();
        server.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        await server.RegisterClientsAsync();
        return server;
    }

    /// <summary>Registers another redirect URI for Paliad (each test host listens on its own address).</summary>
    public async Task AllowRedirectUriAsync(Uri redirectUri)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var client = await manager.FindByClientIdAsync(ClientId) ?? throw new InvalidOperationException("no client");
        var descriptor = new OpenIddictApplicationDescriptor();
        await manager.PopulateAsync(descriptor, client);
        descriptor.RedirectUris.Add(redirectUri);
        await manager.UpdateAsync(client, descriptor);
    }

    /// <summary>Whether the server still takes the token (RFC 7662), asked as the CalDAV proxy asks.</summary>
    public async Task<bool> IsActiveAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"{ProxyClientId}:{ProxyClientSecret}")));
        using var response = await _http.SendAsync(request);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return answer.RootElement.TryGetProperty("active", out var active) && active.GetBoolean();
    }

    /// <summary>Whether the refresh token still gets a new access token (used, it rotates: only for tokens a test is
    /// done with).</summary>
    public async Task<bool> RefreshesAsync(string refreshToken)
    {
        using var response = await _http.PostAsync(TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
        }));
        return response.IsSuccessStatusCode;
    }

    /// <summary>Revokes a token (RFC 7009), as a person removing Paliad's access in their account settings would.</summary>
    public async Task RevokeAsync(string token)
    {
        using var response = await _http.PostAsync(RevocationEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["client_id"] = ClientId,
            ["client_secret"] = ClientSecret,
        }));
        response.EnsureSuccessStatusCode();
    }

    private IResult Authorize(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("no OpenIddict request");
        if (DenyConsent)
        {
            return Results.Forbid(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.AccessDenied,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The person did not consent.",
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, "provider-user-1").SetClaim(Claims.Email, Email).SetClaim(Claims.Name, "Alice");
        identity.SetScopes(request.GetScopes());
        identity.SetResources(ProxyClientId); // the CalDAV proxy is the audience: it may introspect
        identity.SetDestinations(Destinations);
        return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private async Task<IResult> TokenAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("no OpenIddict request");

        // OpenIddict has checked the code or refresh token, PKCE, the client and the redirect URI before this runs.
        var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal?.Identity is not ClaimsIdentity authenticated)
        {
            return Results.Forbid(
                new AuthenticationProperties(new Dictionary<string, string?> { [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidGrant }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        Interlocked.Increment(ref request.IsRefreshTokenGrantType() ? ref _refreshGrants : ref _codeGrants);
        var identity = new ClaimsIdentity(authenticated.Claims, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetDestinations(Destinations);
        return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IEnumerable<string> Destinations(Claim claim) => claim.Type switch
    {
        Claims.Email or Claims.Name => [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        _ => [OpenIddictConstants.Destinations.AccessToken],
    };

    private async Task RegisterClientsAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        await manager.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            ClientType = ClientTypes.Confidential,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Email,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        });
        await manager.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = ProxyClientId,
            ClientSecret = ProxyClientSecret,
            ClientType = ClientTypes.Confidential,
            Permissions = { Permissions.Endpoints.Introspection },
        });
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
