namespace Paliad.Application.Common;

/// <summary>The resource does not exist, or belongs to someone the caller may not see (both answer 404).</summary>
public sealed class NotFoundException : Exception
{
    public NotFoundException(string resource, object id)
        : base($"{resource} '{id}' was not found.")
    {
    }

    public NotFoundException()
    {
    }

    public NotFoundException(string message)
        : base(message)
    {
    }

    public NotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The caller sees the resource but may not change it (a viewer editing a project appointment): 403.</summary>
public sealed class ForbiddenException : Exception
{
    public ForbiddenException()
        : base("You may not change this.")
    {
    }

    public ForbiddenException(string message)
        : base(message)
    {
    }

    public ForbiddenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A server Paliad depends on (a user's CalDAV server) failed or refused: 502, or 400 on the named field
/// when the input itself is unusable (an address the SSRF guard refuses).</summary>
public sealed class ExternalServiceException : Exception
{
    public ExternalServiceException(string message, string? field = null)
        : base(message)
    {
        Field = field;
    }

    public ExternalServiceException()
    {
    }

    public ExternalServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ExternalServiceException(string message, ExternalFailure reason, Exception innerException)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Set when the failure is the input's fault; the API then answers 400 naming this field.</summary>
    public string? Field { get; }

    /// <summary>What kind of failure it was, for a client to say it in plain words (problem+json <c>reason</c>).</summary>
    public ExternalFailure? Reason { get; }
}

/// <summary>Why a user's CalDAV server failed (the <c>reason</c> of a 502 from GET /api/caldav-calendars).</summary>
public enum ExternalFailure
{
    /// <summary>The server refused the username or password (401/403).</summary>
    Unauthorized,

    /// <summary>No answer at all: the name does not resolve, nothing listens, or the connection broke.</summary>
    Unreachable,

    /// <summary>The server did not answer within the deadline.</summary>
    Timeout,

    /// <summary>Something answered, but not as a CalDAV server does (no principal, no calendar home, not DAV XML).</summary>
    NotACalendarServer,

    /// <summary>The server answered with an error of its own (5xx, rate limited).</summary>
    ServerError,
}
