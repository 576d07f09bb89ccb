using Paliad.Api.Auth;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Secrets;

namespace Paliad.Api.Composition;

/// <summary>A start the configuration makes unsafe is refused before anything is served, with a message that says
/// what to set.</summary>
public sealed class StartupRefusedException(string message) : Exception(message);

/// <summary>Safe production defaults: what a Production start requires, and what it warns about.</summary>
public static class StartupChecks
{
    /// <summary>Configuration key: serve the OpenAPI document and the reference UI (default: Development only).</summary>
    public const string PublishReferenceKey = "Api:PublishReference";

    /// <summary>Throws <see cref="StartupRefusedException"/> naming every missing or unsafe setting.</summary>
    public static void Enforce(IHostEnvironment environment, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(configuration);
        var auth = AuthOptions.Read(configuration);
        var problems = new List<string>();
        try
        {
            auth.Validate(requireHttps: environment.IsProduction());
        }
        catch (InvalidOperationException keyProblem)
        {
            problems.Add(keyProblem.Message);
        }

        try
        {
            using var keyEncryption = KeyEncryptionCertificate.Load(configuration);
            if (keyEncryption.Current is null && environment.IsProduction())
            {
                problems.Add("DataProtection:CertificatePath must be set in Production (DataProtection__CertificatePath: a .pfx/.p12 file with "
                    + "DataProtection__CertificatePassword, or a PEM certificate with its key in the file or in DataProtection__CertificateKeyPath): "
                    + "without it the keys that decrypt every stored CalDAV password sit in the database in clear.");
            }
        }
        catch (KeyEncryptionException unusable)
        {
            problems.Add(unusable.Message);
        }

        if (environment.IsProduction())
        {
            if (string.IsNullOrWhiteSpace(auth.Issuer))
            {
                problems.Add("Auth:Issuer must be set in Production (Auth__Issuer, e.g. https://<project>.supabase.co/auth/v1): tokens of any issuer would be taken.");
            }

            if (string.IsNullOrWhiteSpace(auth.Audience))
            {
                problems.Add("Auth:Audience must be set in Production (Auth__Audience, e.g. authenticated): tokens for any audience would be taken.");
            }
        }

        problems.AddRange(OAuthProblems(configuration, environment.IsProduction()));
        problems.AddRange(PublicAddressProblems(configuration));
        if (problems.Count > 0)
        {
            throw new StartupRefusedException($"Paliad refuses to start ({environment.EnvironmentName}): " + string.Join(" ", problems));
        }
    }

    /// <summary>OAuth 2.0 providers' endpoints and addresses are absolute URLs, https in Production (the client secret,
    /// codes and tokens travel through them).</summary>
    private static IEnumerable<string> OAuthProblems(IConfiguration configuration, bool production)
    {
        const string Section = "CalDav:OAuth";
        foreach (var provider in configuration.GetSection($"{Section}:Providers").GetChildren())
        {
            foreach (var key in new[] { "AuthorizationEndpoint", "TokenEndpoint", "RevocationEndpoint", "ServerUrl" })
            {
                if (provider[key] is not { Length: > 0 } value)
                {
                    continue;
                }

                if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
                {
                    yield return $"{Section}:Providers:{provider.Key}:{key} must be an absolute https URL (was '{value}').";
                }
                else if (production && url.Scheme != Uri.UriSchemeHttps)
                {
                    yield return $"{Section}:Providers:{provider.Key}:{key} must use https in Production: the client secret, codes and tokens would travel in clear.";
                }
            }
        }

    }

    /// <summary>Paliad's public address (feed links, the OAuth redirect URI, the API document's server), when set, is an
    /// absolute URL.</summary>
    private static IEnumerable<string> PublicAddressProblems(IConfiguration configuration)
    {
        foreach (var key in new[] { Endpoints.PublicOrigin.Key, Endpoints.PublicOrigin.OlderKey })
        {
            if (configuration[key] is { Length: > 0 } publicBase
                && (!Uri.TryCreate(publicBase, UriKind.Absolute, out var origin) || origin.Scheme is not ("https" or "http")))
            {
                yield return $"{key} must be an absolute URL such as https://paliad.firm.example (was '{publicBase}').";
            }
        }
    }

    /// <summary>Whether the OpenAPI document and the reference UI are served.</summary>
    public static bool PublishReference(IHostEnvironment environment, IConfiguration configuration)
        => configuration.GetValue(PublishReferenceKey, environment.IsDevelopment());

    /// <summary>Warnings about settings that are fine for development and dangerous in production.</summary>
    public static void Warn(IConfiguration configuration, ILogger logger)
    {
        if (configuration.GetValue($"{CalDavOptions.Section}:{nameof(CalDavOptions.AllowPrivateNetworks)}", false))
        {
            LogPrivateNetworks(logger, null);
        }
    }

    private static readonly Action<ILogger, Exception?> LogPrivateNetworks = LoggerMessage.Define(LogLevel.Warning, new EventId(1, "AllowPrivateNetworks"),
        "CalDav:AllowPrivateNetworks is on: users' CalDAV server URLs may reach loopback, private and link-local addresses of this network. "
        + "Turn it off outside local development.");
}
