using System.Security.Cryptography;
using System.Text;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.OAuth.StartOAuthConnect;

/// <summary>POST /api/caldav-oauth/{provider}/start: a fresh state and PKCE verifier, kept server-side for ten
/// minutes, and the provider's consent URL the page navigates to (a navigation cannot carry the bearer token, so the
/// state is what later says whose account this is).</summary>
public sealed record StartOAuthConnect(Guid UserId, string Provider, Uri RedirectUri) : ICommand<OAuthStartDto>;

public sealed record OAuthStartDto(Uri AuthorizationUrl);

public sealed class StartOAuthConnectHandler(
    IPaliadDbContext db, IOAuthProviders providers, IOAuthProviderClient client, ICalDavPasswordProtector protector, TimeProvider clock)
    : ICommandHandler<StartOAuthConnect, OAuthStartDto>
{
    /// <summary>Consents one person may have open at once; older ones are dropped.</summary>
    public const int MaxOpenPerUser = 5;

    public async ValueTask<OAuthStartDto> Handle(StartOAuthConnect command, CancellationToken cancellationToken)
    {
        var provider = providers.Find(command.Provider) ?? throw new NotFoundException($"No OAuth provider '{command.Provider}' is configured.");
        await EnsureBindingsStayOnTheirServerAsync(command.UserId, provider, cancellationToken);
        var now = clock.GetUtcNow();
        var state = OAuthSecrets.NewRandom();
        var verifier = OAuthSecrets.NewRandom();
        var connection = OAuthConnection.Start(
            command.UserId, provider.Name, OAuthSecrets.Hash(state), protector.Protect(verifier), command.RedirectUri.ToString(), now);

        // Expired consents of anybody go, and this person keeps only the newest few.
        await db.OAuthConnections.Where(c => c.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        var keep = await db.OAuthConnections.Where(c => c.UserId == command.UserId)
            .OrderByDescending(c => c.CreatedAt).Select(c => c.Id).Take(MaxOpenPerUser - 1).ToListAsync(cancellationToken);
        await db.OAuthConnections.Where(c => c.UserId == command.UserId && !keep.Contains(c.Id)).ExecuteDeleteAsync(cancellationToken);

        db.OAuthConnections.Add(connection);
        await db.SaveChangesAsync(cancellationToken);
        return new OAuthStartDto(client.AuthorizationUrl(provider.Name, state, OAuthSecrets.CodeChallenge(verifier), command.RedirectUri));
    }

    /// <summary>Connecting moves the account to the provider's server; bindings on another server would then name
    /// calendars there that Paliad's copies are not in (and their events would be left behind). So an account with
    /// bindings on another server is removed first — a 409 that says so.</summary>
    private async Task EnsureBindingsStayOnTheirServerAsync(Guid userId, OAuthProviderInfo provider, CancellationToken cancellationToken)
    {
        var serverUrl = await db.CalDavConfigs.AsNoTracking().Where(c => c.UserId == userId).Select(c => c.ServerUrl).SingleOrDefaultAsync(cancellationToken);
        if (serverUrl is not null && !ServerOrigin.Same(serverUrl, provider.ServerUrl.ToString())
            && await db.CalendarBindings.AnyAsync(b => b.UserId == userId, cancellationToken))
        {
            throw new DomainException(string.Empty,
                $"Your bindings are calendars on {ServerOrigin.Describe(new Uri(serverUrl))}: remove that account first (its events stay in those calendars), then connect {provider.DisplayName}.",
                DomainErrorKind.Conflict);
        }
    }
}

/// <summary>The random values of the code flow and what is derived from them.</summary>
public static class OAuthSecrets
{
    /// <summary>256 random bits, base64url (43 characters: a valid PKCE verifier and an unguessable state).</summary>
    public static string NewRandom() => UrlSecrets.New();

    /// <summary>How a state is stored: SHA-256, hex.</summary>
    public static string Hash(string state) => UrlSecrets.Hash(state);

    /// <summary>RFC 7636 S256: base64url(SHA-256(verifier)).</summary>
    public static string CodeChallenge(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
