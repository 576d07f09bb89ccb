namespace Paliad.Infrastructure.CalDav;

/// <summary>Configuration section "CalDav" (DESIGN §7).</summary>
public sealed class CalDavOptions
{
    public const string Section = "CalDav";

    /// <summary>Hrefs per calendar-multiget REPORT (Google, Evolution and Zoho all stop at 100).</summary>
    public int MultigetMaxHrefs { get; set; } = 100;

    /// <summary>Time one sync hook (an appointment change fanned out to one binding) may take.</summary>
    public int HookTimeoutSeconds { get; set; } = 30;

    /// <summary>Time one HTTP attempt may take.</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>False: a user-supplied server may not resolve to loopback, private or link-local addresses.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Largest response body read from a CalDAV server.</summary>
    public long MaxResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Retries of idempotent requests (PROPFIND, REPORT, GET, conditional PUT/DELETE) on transport errors, 5xx and 429.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Longest Retry-After honoured inside a request; a longer one surfaces as RateLimited for the engine.</summary>
    public int MaxRetryAfterSeconds { get; set; } = 30;

    /// <summary>First backoff of the exponential retry (doubles, with jitter).</summary>
    public double RetryBaseDelaySeconds { get; set; } = 0.5;

    /// <summary>Requests to one server within 30 s before its circuit breaker may open (at a 50 % failure ratio).</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 20;

    /// <summary>How long an open circuit refuses requests to that server before trying again.</summary>
    public int CircuitBreakerBreakSeconds { get; set; } = 15;
}
