using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Application.CalDav.OAuth.StartOAuthConnect;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.OAuth.CompleteOAuthConnect;

/// <summary>GET /api/caldav-oauth/{provider}/callback: the provider sends the person back with a code (or an error)
/// and the state. The state is taken — removed, so a replay finds nothing — and must be this provider's and not
/// expired; then the code is exchanged with the PKCE verifier and the grant stored on the person's account (made, or
/// connected again). The outcome is a word for the page, never an exception: the person sees it at
/// <c>/#caldav=…</c>.</summary>
public sealed record CompleteOAuthConnect(string Provider, string? Code, string? State, string? Error) : ICommand<OAuthOutcome>;

/// <summary><see cref="Reason"/> when it failed: <c>denied</c> (no consent), <c>invalid_state</c> (unknown, used, or
/// another provider's), <c>expired</c>, <c>exchange_failed</c> (the provider refused the code), <c>provider_unavailable</c>.</summary>
public sealed record OAuthOutcome(bool Connected, string? Reason)
{
    public static readonly OAuthOutcome Success = new(true, null);

    public static OAuthOutcome Failed(string reason) => new(false, reason);
}

public sealed class CompleteOAuthConnectHandler(
    IPaliadDbContext db, IOAuthProviders providers, IOAuthProviderClient client, ICalDavPasswordProtector protector, TimeProvider clock)
    : ICommandHandler<CompleteOAuthConnect, OAuthOutcome>
{
    public async ValueTask<OAuthOutcome> Handle(CompleteOAuthConnect command, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(command.State))
        {
            return OAuthOutcome.Failed("invalid_state");
        }

        var stateHash = OAuthSecrets.Hash(command.State);
        var connection = await db.OAuthConnections.AsNoTracking().SingleOrDefaultAsync(c => c.StateHash == stateHash, cancellationToken);

        // Taken by deleting it: of two callbacks with one state (a replay, a double click), one finds it.
        if (connection is null || await db.OAuthConnections.Where(c => c.Id == connection.Id).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            return OAuthOutcome.Failed("invalid_state");
        }

        var provider = providers.Find(command.Provider);
        if (provider is null || provider.Name != connection.Provider)
        {
            return OAuthOutcome.Failed("invalid_state");
        }

        var now = clock.GetUtcNow();
        if (connection.HasExpired(now))
        {
            return OAuthOutcome.Failed("expired");
        }

        if (!string.IsNullOrEmpty(command.Error) || string.IsNullOrEmpty(command.Code))
        {
            return OAuthOutcome.Failed(command.Error == "access_denied" || string.IsNullOrEmpty(command.Code) ? "denied" : "exchange_failed");
        }

        OAuthGrant grant;
        try
        {
            grant = await client.ExchangeCodeAsync(
                provider.Name, command.Code, protector.Unprotect(connection.EncryptedCodeVerifier).Password, new Uri(connection.RedirectUri), cancellationToken);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The verifier cannot be opened here (a key ring this instance has not read yet): the attempt is spent.
            return OAuthOutcome.Failed("exchange_failed");
        }
        catch (OAuthRefusedException)
        {
            return OAuthOutcome.Failed("exchange_failed");
        }
        catch (OAuthUnavailableException)
        {
            return OAuthOutcome.Failed("provider_unavailable");
        }

        var tokens = new ProtectedOAuthTokens(
            protector.Protect(grant.AccessToken), grant.RefreshToken is null ? null : protector.Protect(grant.RefreshToken), grant.ExpiresAt);
        var accountName = Clip(grant.AccountName ?? provider.DisplayName, CalDavConfig.UsernameMaxLength);
        (string? Provider, ProtectedOAuthTokens? Tokens) replaced = (null, null);
        try
        {
            // Under the person's lock: two tabs finishing at once make one account, the second connects it again.
            await using var serial = await db.BeginUserTransactionAsync(connection.UserId, cancellationToken);
            var config = await db.CalDavConfigs.SingleOrDefaultAsync(c => c.UserId == connection.UserId, cancellationToken);
            if (config is null)
            {
                db.CalDavConfigs.Add(CalDavConfig.ConnectThroughProvider(connection.UserId, provider.Name, provider.ServerUrl.ToString(), accountName, tokens, now));
            }
            else
            {
                replaced = (config.Provider, config.Tokens);
                config.ReconnectThroughProvider(provider.Name, provider.ServerUrl.ToString(), accountName, tokens, now);
            }

            await db.SaveChangesAsync(cancellationToken);
            await serial.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return OAuthOutcome.Failed("exchange_failed");
        }

        // A grant of another provider that this one replaces is given back. One of the same provider is not: at Google a
        // grant is per person and client, so revoking the old refresh token would revoke the new one with it.
        if (replaced is { Provider: { } oldProvider, Tokens: { } oldTokens } && oldProvider != provider.Name)
        {
            await client.RevokeQuietlyAsync(protector, oldProvider, oldTokens, cancellationToken);
        }

        return OAuthOutcome.Success;
    }

    private static string Clip(string text, int maxLength) => text.Length > maxLength ? text[..maxLength] : text;
}
