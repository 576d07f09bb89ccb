namespace Paliad.Api.Endpoints;

/// <summary>Paliad's address as people and providers reach it, for links it hands out (feed URLs, the OAuth redirect
/// URI): <c>Api:PublicBaseUrl</c> when set (behind a proxy that changes the scheme or host), else the older
/// <c>CalDav:OAuth:PublicBaseUrl</c>, else the scheme and host this request came with.</summary>
internal static class PublicOrigin
{
    public const string Key = "Api:PublicBaseUrl";

    /// <summary>The name the same setting had when only the OAuth redirect used it; still honoured.</summary>
    public const string OlderKey = "CalDav:OAuth:PublicBaseUrl";

    /// <summary>The origin without a trailing slash, e.g. https://paliad.firm.example.</summary>
    public static string Of(HttpRequest request, IConfiguration configuration)
    {
        var configured = configuration[Key] is { Length: > 0 } current && !string.IsNullOrWhiteSpace(current) ? current : configuration[OlderKey];
        return string.IsNullOrWhiteSpace(configured) ? $"{request.Scheme}://{request.Host}" : configured.Trim().TrimEnd('/');
    }
}
