using System.Net;

namespace Paliad.Infrastructure.CalDav;

/// <summary>What went wrong talking to a CalDAV server, in terms the engine acts on. Every failure of the client
/// is one of these; nothing else escapes it.</summary>
public abstract class CalDavException : Exception
{
    protected CalDavException(string message, HttpStatusCode? status = null, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
    }

    public HttpStatusCode? Status { get; }

    /// <summary>Whether trying again later may succeed (server trouble, rate limits), as opposed to a fix being needed.</summary>
    public abstract bool IsTransient { get; }
}

/// <summary>412 Precondition Failed or 409 Conflict: the resource is not what the condition said (stale ETag, or
/// it already exists on create).</summary>
public sealed class CalDavConflictException(string message, HttpStatusCode status) : CalDavException(message, status)
{
    public override bool IsTransient => false;
}

public sealed class CalDavNotFoundException(string message) : CalDavException(message, HttpStatusCode.NotFound)
{
    public override bool IsTransient => false;
}

/// <summary>429 or 503 with a Retry-After longer than the client waits by itself.</summary>
public sealed class CalDavRateLimitedException(string message, HttpStatusCode status, TimeSpan retryAfter) : CalDavException(message, status)
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    public override bool IsTransient => true;
}

public class CalDavUnauthorizedException(string message) : CalDavException(message, HttpStatusCode.Unauthorized)
{
    public override bool IsTransient => false;
}

/// <summary>The OAuth 2.0 provider refused the account's grant (invalid_grant: revoked, expired): like a refused
/// password, only the person can fix it — by connecting the account again.</summary>
public sealed class CalDavReconnectNeededException(string providerName, string message) : CalDavUnauthorizedException(message)
{
    /// <summary>The provider's display name ("Google Calendar").</summary>
    public string ProviderName { get; } = providerName;
}

public sealed class CalDavForbiddenException(string message, HttpStatusCode? status = HttpStatusCode.Forbidden) : CalDavException(message, status)
{
    public override bool IsTransient => false;
}

/// <summary>5xx after the retries, a timeout, or the connection failing (reset, refused).</summary>
public sealed class CalDavServerErrorException(string message, HttpStatusCode? status, Exception? inner = null) : CalDavException(message, status, inner)
{
    public override bool IsTransient => true;
}

/// <summary>An answer the client cannot use: malformed or oversized XML, an unexpected status, a refused redirect.</summary>
public sealed class CalDavInvalidResponseException(string message, HttpStatusCode? status = null, Exception? inner = null)
    : CalDavException(message, status, inner)
{
    public override bool IsTransient => true;
}

/// <summary>The server's address is loopback, private or link-local and CalDav:AllowPrivateNetworks is off.</summary>
public sealed class CalDavAddressNotAllowedException(string message) : CalDavException(message)
{
    public override bool IsTransient => false;
}

/// <summary>A request would have gone to another origin (scheme, host or port) than the account's server: a calendar
/// path, an href the server answered or a redirect pointed elsewhere. Refused before a byte is sent, so the
/// account's credentials never leave the server they were typed for.</summary>
public sealed class CalDavOriginRefusedException(string message) : CalDavException(message)
{
    public override bool IsTransient => false;
}
