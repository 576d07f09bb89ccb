using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Paliad.Application.CalDav.OAuth;

namespace Paliad.Infrastructure.CalDav.OAuth;

/// <summary>
/// The four requests of the authorization code flow, written against RFC 6749 (§4.1 code, §6 refresh, §5.2 errors),
/// RFC 7636 (S256) and RFC 7009 (revocation): a consent URL, and form POSTs to the token and revocation endpoints with
/// the client's id and secret in the body (client_secret_post, what Google documents). The answers are small JSON
/// documents, read within a size cap and a deadline.
/// </summary>
internal sealed class OAuthProviderClient(IHttpClientFactory httpClients, OAuthProviders providers, IOptions<OAuthOptions> options, TimeProvider clock)
    : IOAuthProviderClient
{
    public const string HttpClientName = "oauth";

    /// <summary>A token response is a few kilobytes; nothing larger is read.</summary>
    public const int MaxAnswerBytes = 64 * 1024;

    public Uri AuthorizationUrl(string provider, string state, string codeChallenge, Uri redirectUri)
    {
        var configured = providers.Options(provider);
        var query = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["response_type"] = "code",
            ["client_id"] = configured.ClientId,
            ["redirect_uri"] = redirectUri.ToString(),
            ["scope"] = configured.Scopes,
            ["state"] = state,
            ["code_challenge"] = codeChallenge,
            ["code_challenge_method"] = "S256",
        };
        foreach (var (key, value) in configured.AuthorizationParameters)
        {
            query.TryAdd(key, value);
        }

        var endpoint = configured.AuthorizationEndpoint!;
        var parameters = string.Join('&', query.Where(p => p.Value is not null).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value!)}"));
        return new Uri(endpoint + (endpoint.Contains('?', StringComparison.Ordinal) ? "&" : "?") + parameters);
    }

    public Task<OAuthGrant> ExchangeCodeAsync(string provider, string code, string codeVerifier, Uri redirectUri, CancellationToken cancellationToken)
        => TokenRequestAsync(provider, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri.ToString(),
            ["code_verifier"] = codeVerifier,
        }, cancellationToken);

    public Task<OAuthGrant> RefreshAsync(string provider, string refreshToken, CancellationToken cancellationToken)
        => TokenRequestAsync(provider, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, cancellationToken);

    public async Task RevokeAsync(string provider, string token, CancellationToken cancellationToken)
    {
        var configured = providers.Options(provider);
        if (configured.RevocationEndpoint is null)
        {
            return;
        }

        using var response = await PostAsync(configured, configured.RevocationEndpoint, new Dictionary<string, string> { ["token"] = token }, cancellationToken);

        // RFC 7009 §2.2: 200 whether or not the token was valid; an error body otherwise.
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await RefusalAsync(response, cancellationToken);
        }
    }

    private async Task<OAuthGrant> TokenRequestAsync(string provider, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        var configured = providers.Options(provider);
        using var response = await PostAsync(configured, configured.TokenEndpoint!, form, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await RefusalAsync(response, cancellationToken);
        }

        using var answer = await ReadJsonAsync(response, cancellationToken)
            ?? throw new OAuthUnavailableException("The token endpoint's answer is not JSON.");
        var root = answer.RootElement;
        var accessToken = Text(root, "access_token");
        var tokenType = Text(root, "token_type");
        if (string.IsNullOrEmpty(accessToken) || !string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new OAuthUnavailableException($"The token endpoint gave no bearer access token (token_type '{tokenType}').");
        }

        DateTimeOffset? expiresAt = root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.ValueKind == JsonValueKind.Number
                                    && expiresIn.TryGetInt64(out var seconds) && seconds > 0
            ? clock.GetUtcNow().AddSeconds(Math.Min(seconds, TimeSpan.FromDays(365).TotalSeconds))
            : null;
        return new OAuthGrant(accessToken, Text(root, "refresh_token") is { Length: > 0 } refresh ? refresh : null, expiresAt, AccountOf(Text(root, "id_token")));
    }

    /// <summary>The e-mail of the id_token that came with the grant, to name the account on the page. It came straight
    /// from the token endpoint over the connection Paliad opened (OpenID Connect Core §3.1.3.7 lets a client rely on
    /// that instead of the signature), and it decides nothing but a label.</summary>
    private static string? AccountOf(string? idToken)
    {
        if (string.IsNullOrEmpty(idToken))
        {
            return null;
        }

        try
        {
            return new JsonWebToken(idToken).TryGetPayloadValue<string>("email", out var email) && !string.IsNullOrWhiteSpace(email) ? email : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private async Task<HttpResponseMessage> PostAsync(OAuthProviderOptions provider, string endpoint, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        form["client_id"] = provider.ClientId!;
        if (!string.IsNullOrEmpty(provider.ClientSecret))
        {
            form["client_secret"] = provider.ClientSecret;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, options.Value.RequestTimeoutSeconds)));
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.ParseAdd("application/json");
        try
        {
            return await httpClients.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new OAuthUnavailableException($"POST {new Uri(endpoint).GetLeftPart(UriPartial.Path)}: {e.Message}", e);
        }
    }

    /// <summary>An error answer: an OAuth error (400/401 with <c>error</c>) is a refusal, anything else means the
    /// provider could not answer.</summary>
    private static async Task<Exception> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        using var answer = status is 400 or 401 ? await ReadJsonAsync(response, cancellationToken) : null;
        if (answer is not null && Text(answer.RootElement, "error") is { Length: > 0 } error)
        {
            var description = Text(answer.RootElement, "error_description");
            return new OAuthRefusedException(error, $"The provider answered {status} {error}{(description is null ? string.Empty : ": " + Clip(description))}.");
        }

        return new OAuthUnavailableException($"The provider answered {status} {response.ReasonPhrase}.");
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return body.Length > MaxAnswerBytes ? null : JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name)
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Clip(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
