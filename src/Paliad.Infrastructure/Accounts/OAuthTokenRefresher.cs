using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Paliad.Application.CalDav;
using Paliad.Application.CalDav.OAuth;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.OAuth;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Accounts;

/// <summary>An access token as this instance last saw it.</summary>
public sealed record AccessToken(string Token, DateTimeOffset? ExpiresAt);

/// <summary>
/// Refreshes an account's access token, single-flight per account across instances: the account's row is locked
/// (<c>FOR UPDATE</c>) for the refresh, and whoever gets the lock first reads what is stored — if another instance
/// refreshed meanwhile, its token is taken and the provider is not asked again. A provider that rotates refresh tokens
/// therefore never sees the old one twice, and the new one is never lost. <c>invalid_grant</c> marks the account
/// <c>needsReconnect</c>.
/// </summary>
public sealed class OAuthTokenRefresher(
    IServiceScopeFactory scopes, IOAuthProviderClient client, IOAuthProviders providers, IOptions<OAuthOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _inProcess = new();

    /// <summary>Whether a token expiring then should be refreshed before use.</summary>
    public bool IsDue(DateTimeOffset? expiresAt)
        => expiresAt is { } expiry && expiry - clock.GetUtcNow() < TimeSpan.FromSeconds(Math.Max(0, options.Value.RefreshAheadSeconds));

    /// <summary>A token other than <paramref name="stale"/> that is not due, refreshing at the provider only when the
    /// stored one is still <paramref name="stale"/> (or due). The refresh, once started, is finished whatever happens
    /// to the caller (a deadline, a closed request): a provider that rotates refresh tokens has already spent the old
    /// one when it answers, so its answer must be stored. It has a deadline of its own instead.</summary>
    public Task<AccessToken> RefreshAsync(Guid userId, string stale, CancellationToken cancellationToken)
        => RefreshUnderLockAsync(userId, stale).WaitAsync(cancellationToken);

    private async Task<AccessToken> RefreshUnderLockAsync(Guid userId, string stale)
    {
        // Lock wait + provider call + save: bounded, so a slow provider holds the account's row for seconds, not minutes.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, options.Value.RequestTimeoutSeconds) * 2));
        var cancellationToken = deadline.Token;

        // One refresh per account in this process at a time; the row lock below does it across instances.
        var gate = _inProcess.GetOrAdd(userId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
            var protector = scope.ServiceProvider.GetRequiredService<ICalDavPasswordProtector>();
            await using var transaction = await db.BeginRowLockAsync<CalDavConfig>(userId, cancellationToken);
            var config = await db.CalDavConfigs.SingleOrDefaultAsync(c => c.UserId == userId, cancellationToken);
            if (config is not { AuthKind: CalDavAuthKind.Oauth2, Provider: { } provider, Tokens: { } tokens })
            {
                throw new CalDavUnauthorizedException("The account is no longer connected through a provider.");
            }

            var providerName = providers.Find(provider)?.DisplayName ?? provider;
            if (config.NeedsReconnect)
            {
                throw Reconnect(providerName, "The provider refused this account's grant earlier.");
            }

            string stored;
            string? refreshToken;
            try
            {
                stored = protector.Unprotect(tokens.EncryptedAccessToken).Password;
                refreshToken = tokens.EncryptedRefreshToken is null ? null : protector.Unprotect(tokens.EncryptedRefreshToken).Password;
            }
            catch (CryptographicException e) when (e is not KeyRingBehindException)
            {
                // No key of the ring opens the grant any more: only connecting again gives a new one.
                await NeedsReconnectAsync(db, transaction, config);
                throw Reconnect(providerName, $"The stored tokens cannot be decrypted ({e.Message}); connect the account again.");
            }

            if (stored != stale && !IsDue(tokens.AccessTokenExpiresAt))
            {
                return new AccessToken(stored, tokens.AccessTokenExpiresAt);
            }

            if (refreshToken is null)
            {
                await NeedsReconnectAsync(db, transaction, config);
                throw Reconnect(providerName, "The access token expired and the provider gave no refresh token.");
            }

            OAuthGrant grant;
            try
            {
                grant = await client.RefreshAsync(provider, refreshToken, cancellationToken);
            }
            catch (OAuthRefusedException refused) when (refused.GrantIsGone)
            {
                await NeedsReconnectAsync(db, transaction, config);
                throw Reconnect(providerName, $"Refreshing the access token: {refused.Message}");
            }
            catch (OAuthRefusedException refused)
            {
                // invalid_client and the like: Paliad's registration, not the person's grant — retried later.
                throw new CalDavServerErrorException($"Refreshing the access token: {refused.Message}", null, refused);
            }
            catch (OAuthUnavailableException unavailable)
            {
                throw new CalDavServerErrorException($"Refreshing the access token: {unavailable.Message}", null, unavailable);
            }

            // The refresh token kept (none rotated in) is protected again too, so it never stays under an old key.
            config.RecordRefreshedTokens(new ProtectedOAuthTokens(
                protector.Protect(grant.AccessToken), protector.Protect(grant.RefreshToken ?? refreshToken), grant.ExpiresAt));
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
            return new AccessToken(grant.AccessToken, grant.ExpiresAt);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
        {
            throw new CalDavServerErrorException("Refreshing the access token took too long.", null, e);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task NeedsReconnectAsync(PaliadDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, CalDavConfig config)
    {
        config.MarkNeedsReconnect();
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    private static CalDavReconnectNeededException Reconnect(string providerName, string detail) => new(providerName, detail);
}

/// <summary>The bearer token of one account for one client: the token read with the account, refreshed through
/// <see cref="OAuthTokenRefresher"/> ahead of its expiry and once after a 401.</summary>
internal sealed class AccountBearer(OAuthTokenRefresher refresher, Guid userId, AccessToken initial, string providerName) : IAccessTokenSource
{
    private AccessToken _current = initial;

    public string ProviderName => providerName;

    public async ValueTask<string> CurrentAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (!refresher.IsDue(current.ExpiresAt))
        {
            return current.Token;
        }

        return await RenewAsync(current.Token, cancellationToken);
    }

    public async ValueTask<string> RenewAsync(string rejected, CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _current);
        if (current.Token != rejected && !refresher.IsDue(current.ExpiresAt))
        {
            return current.Token; // a parallel request of this client renewed it already
        }

        var renewed = await refresher.RefreshAsync(userId, rejected, cancellationToken);
        Volatile.Write(ref _current, renewed);
        return renewed.Token;
    }
}
