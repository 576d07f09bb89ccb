using Paliad.Domain.Common;

namespace Paliad.Domain.CalDav;

/// <summary>
/// A user's CalDAV account (table user_caldav_config, Phase F). The password arrives here already encrypted:
/// the domain never sees it in plain text. <see cref="CalendarPath"/> is the legacy single calendar; since
/// mig 101 calendars are chosen through <see cref="CalendarBinding"/>s.
/// </summary>
public sealed class CalDavConfig : Entity
{
    public const int ServerUrlMaxLength = 2048;
    public const int UsernameMaxLength = 256;
    public const int CalendarPathMaxLength = CalendarBinding.CalendarPathMaxLength;
    public const int MinSyncIntervalMinutes = 1;
    public const int MaxSyncIntervalMinutes = 1440;
    public const int DefaultSyncIntervalMinutes = 15;
    public const int ProviderMaxLength = OAuthConnection.ProviderMaxLength;

    private CalDavConfig()
    {
        ServerUrl = string.Empty;
        Username = string.Empty;
    }

    public Guid UserId { get; private set; }

    public string ServerUrl { get; private set; }

    public string Username { get; private set; }

    /// <summary>The password as protected by ASP.NET Core Data Protection; null when none was given (and always for
    /// an OAuth 2.0 account).</summary>
    public string? EncryptedPassword { get; private set; }

    /// <summary>How Paliad signs in to the server: username and password, or an OAuth 2.0 grant.</summary>
    public CalDavAuthKind AuthKind { get; private set; }

    /// <summary>The OAuth 2.0 provider's configured name (<c>google</c>); null for a basic account.</summary>
    public string? Provider { get; private set; }

    /// <summary>The grant, protected like a password; null for a basic account.</summary>
    public ProtectedOAuthTokens? Tokens { get; private set; }

    /// <summary>The provider refused the grant (revoked, expired): nothing syncs until the person connects again.</summary>
    public bool NeedsReconnect { get; private set; }

    public string? CalendarPath { get; private set; }

    public bool SyncEnabled { get; private set; }

    public int SyncIntervalMinutes { get; private set; }

    public DateTimeOffset? LastSyncAt { get; private set; }

    public string? LastSyncError { get; private set; }

    /// <summary>The row's version as the database keeps it (PostgreSQL's <c>xmin</c>): it changes with every write of
    /// the row, whoever makes it (a person, the sync engine). Read-only here; the API's ETag is made from it.</summary>
    public uint RowVersion { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static CalDavConfig Configure(
        Guid userId,
        string serverUrl,
        string username,
        string? encryptedPassword,
        string? calendarPath,
        bool syncEnabled,
        int syncIntervalMinutes,
        DateTimeOffset now)
    {
        var config = new CalDavConfig
        {
            UserId = userId,
            CreatedAt = Instant.Normalize(now),
        };
        config.Reconfigure(serverUrl, username, encryptedPassword, calendarPath, syncEnabled, syncIntervalMinutes, now);
        config.Raise(new CalDavConfigured(userId, config.CalendarPath));

        // A re-created account (deleted, then saved again) releases what waited for the old one to be fixed.
        config.Raise(new CalDavAccountChanged(userId));
        return config;
    }

    /// <summary>Replaces the settings. A null <paramref name="encryptedPassword"/> keeps the stored password.</summary>
    public void Reconfigure(
        string serverUrl,
        string username,
        string? encryptedPassword,
        string? calendarPath,
        bool syncEnabled,
        int syncIntervalMinutes,
        DateTimeOffset now)
    {
        if (HasUserInfo(serverUrl))
        {
            throw new DomainException(nameof(serverUrl), UserInfoRule);
        }

        if (!IsHttpUrl(serverUrl))
        {
            throw new DomainException(nameof(serverUrl), "'serverUrl' must be an absolute http or https URL.");
        }

        if (syncIntervalMinutes is < MinSyncIntervalMinutes or > MaxSyncIntervalMinutes)
        {
            throw new DomainException(
                nameof(syncIntervalMinutes),
                $"'syncIntervalMinutes' must be between {MinSyncIntervalMinutes} and {MaxSyncIntervalMinutes}.");
        }

        if (encryptedPassword is null && EncryptedPassword is not null && !string.IsNullOrEmpty(ServerUrl) && !ServerOrigin.Same(ServerUrl, serverUrl))
        {
            // A stored password never goes to a host the user did not type it for.
            throw new DomainException("password", "A new 'serverUrl' on another host, port or scheme needs the 'password' again.");
        }

        if (encryptedPassword is null && AuthKind == CalDavAuthKind.Oauth2 && !ServerOrigin.Same(ServerUrl, serverUrl))
        {
            // Nor does a grant: it was given for the provider's server.
            throw new DomainException("serverUrl", "This account is connected through its provider: connect it again to use another server, or give a 'password'.");
        }

        if (encryptedPassword is not null && AuthKind == CalDavAuthKind.Oauth2)
        {
            // A password turns the account into a basic one; the grant is dropped (the caller revokes it).
            AuthKind = CalDavAuthKind.Basic;
            Provider = null;
            Tokens = null;
            NeedsReconnect = false;
        }

        var previous = (ServerUrl, Username, EncryptedPassword);
        ServerUrl = Guard.MaxLength(serverUrl.Trim(), ServerUrlMaxLength, nameof(serverUrl));
        Username = Guard.RequiredText(username, UsernameMaxLength, nameof(username));
        EncryptedPassword = encryptedPassword ?? EncryptedPassword;
        if (!string.IsNullOrEmpty(previous.ServerUrl) && previous != (ServerUrl, Username, EncryptedPassword))
        {
            // Work that waited for the account to be fixed (removals refused with 401/403) may succeed now.
            Raise(new CalDavAccountChanged(UserId));
        }

        CalendarPath = Guard.OptionalText(calendarPath, CalendarPathMaxLength, nameof(calendarPath));
        SyncEnabled = syncEnabled;
        SyncIntervalMinutes = syncIntervalMinutes;
        UpdatedAt = Instant.Normalize(now);
    }

    /// <summary>An account connected through an OAuth 2.0 provider (authorization code + PKCE done): the grant is stored,
    /// the server is the provider's. Calendars are then bound one by one (no legacy calendar path).</summary>
    public static CalDavConfig ConnectThroughProvider(
        Guid userId, string provider, string serverUrl, string accountName, ProtectedOAuthTokens tokens, DateTimeOffset now)
    {
        var config = new CalDavConfig { UserId = userId, CreatedAt = Instant.Normalize(now), SyncIntervalMinutes = DefaultSyncIntervalMinutes, SyncEnabled = true };
        config.TakeGrant(provider, serverUrl, accountName, tokens, now);
        config.Raise(new CalDavConfigured(userId, null));
        config.Raise(new CalDavAccountChanged(userId));
        return config;
    }

    /// <summary>Connected again (after a revoked grant, or instead of a password): the new grant replaces whatever
    /// signed in before, and work that waited for the account to be fixed is released.</summary>
    public void ReconnectThroughProvider(string provider, string serverUrl, string accountName, ProtectedOAuthTokens tokens, DateTimeOffset now)
    {
        TakeGrant(provider, serverUrl, accountName, tokens, now);
        Raise(new CalDavAccountChanged(UserId));
    }

    private void TakeGrant(string provider, string serverUrl, string accountName, ProtectedOAuthTokens tokens, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (!IsHttpUrl(serverUrl))
        {
            throw new DomainException(nameof(serverUrl), "'serverUrl' must be an absolute http or https URL.");
        }

        AuthKind = CalDavAuthKind.Oauth2;
        Provider = Guard.RequiredText(provider, ProviderMaxLength, nameof(provider));
        ServerUrl = Guard.MaxLength(serverUrl.Trim(), ServerUrlMaxLength, nameof(serverUrl));
        Username = Guard.RequiredText(accountName, UsernameMaxLength, "username");
        EncryptedPassword = null;
        Tokens = tokens;
        NeedsReconnect = false;
        UpdatedAt = Instant.Normalize(now);
    }

    /// <summary>The provider gave a fresh access token (and, when it rotates them, a new refresh token). Not a change
    /// the person made: no event, updated_at kept.</summary>
    public void RecordRefreshedTokens(ProtectedOAuthTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (AuthKind != CalDavAuthKind.Oauth2)
        {
            throw new DomainException("authKind", "Only an account connected through a provider has tokens to refresh.");
        }

        Tokens = tokens with { EncryptedRefreshToken = tokens.EncryptedRefreshToken ?? Tokens?.EncryptedRefreshToken };
        NeedsReconnect = false;
    }

    /// <summary>The provider refused the grant (invalid_grant: revoked, expired): the person has to connect again.</summary>
    public void MarkNeedsReconnect()
    {
        if (AuthKind == CalDavAuthKind.Oauth2)
        {
            NeedsReconnect = true;
        }
    }

    /// <summary>An absolute http(s) URL with a host, written out as such (the CHECK is <c>^https?://[^/]+</c>), and
    /// without user-info: credentials go in their own fields, never in a URL that is logged and shown.</summary>
    public const string UserInfoRule = "'serverUrl' must not contain a user name or password: put them in 'username' and 'password'.";

    /// <summary>"https://u:p@host/": user-info in the authority (an '@' before the path starts).</summary>
    public static bool HasUserInfo(string? value)
    {
        var trimmed = value?.Trim() ?? string.Empty;
        var scheme = trimmed.IndexOf("//", StringComparison.Ordinal);
        return scheme >= 0 && trimmed[(scheme + 2)..].Split('/', '?', '#')[0].Contains('@', StringComparison.Ordinal);
    }

    public static bool IsHttpUrl(string? value)
    {
        var trimmed = value?.Trim();
        return trimmed is not null
               && (trimmed.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
               && Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
               && !string.IsNullOrEmpty(uri.Host)
               && !HasUserInfo(trimmed)
               && !trimmed.Any(char.IsWhiteSpace);
    }
}

/// <summary>How Paliad signs in to a CalDAV server (stored as <c>basic</c> / <c>oauth2</c>).</summary>
public enum CalDavAuthKind
{
    Basic,

    /// <summary>Spelt so that its stored word is <c>oauth2</c>.</summary>
    Oauth2,
}

/// <summary>An OAuth 2.0 grant as stored: the access token and the refresh token protected like a password, and when
/// the access token expires (null: the provider did not say).</summary>
public sealed record ProtectedOAuthTokens(string EncryptedAccessToken, string? EncryptedRefreshToken, DateTimeOffset? AccessTokenExpiresAt);

public sealed record CalDavConfigured(Guid UserId, string? CalendarPath) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}

/// <summary>The account's server URL, username or password changed.</summary>
public sealed record CalDavAccountChanged(Guid UserId) : IDomainEvent
{
    Guid IDomainEvent.Lane => UserId;
}
