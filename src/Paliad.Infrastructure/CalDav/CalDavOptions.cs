namespace Paliad.Infrastructure.CalDav;

/// <summary>Configuration section "CalDav" (DESIGN §7).</summary>
public sealed class CalDavOptions
{
    public const string Section = "CalDav";

    /// <summary>Hrefs per calendar-multiget REPORT (Google, Evolution and Zoho all stop at 100).</summary>
    public int MultigetMaxHrefs { get; set; } = 100;

    /// <summary>Time one sync hook (an appointment change fanned out to one binding) may take.</summary>
    public int HookTimeoutSeconds { get; set; } = 30;

    /// <summary>Requests in flight to one server from this process at once (lowered by 429/503, AIMD).</summary>
    public int MaxConcurrentRequestsPerServer { get; set; } = 4;

    /// <summary>Deadline of one calendar discovery (GET /api/caldav-calendars).</summary>
    public int DiscoveryTimeoutSeconds { get; set; } = 30;

    /// <summary>Time one HTTP attempt may take, headers and body.</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>False: a user-supplied server may not resolve to loopback, private or link-local addresses.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Largest response body read from a CalDAV server (after decompression).</summary>
    public long MaxResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Answer bytes held in memory by this process at once, over all users and servers: answers beyond it wait
    /// for room (never less than one answer of CalDav:MaxResponseBytes).</summary>
    public long MaxInFlightResponseBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Total bytes of all answers in one operation: one sync-collection loop, one multiget run (with its
    /// fetch-alone fallbacks), one discovery.</summary>
    public long MaxOperationBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Most DAV:response elements taken from one multistatus answer.</summary>
    public int MaxHrefsPerResponse { get; set; } = 50_000;

    /// <summary>Largest ratio of decompressed to compressed bytes in an answer (a gzip bomb is refused early).</summary>
    public int MaxCompressionRatio { get; set; } = 100;

    /// <summary>Rounds of one sync-collection loop (a server answering 507 forever is cut off here).</summary>
    public int MaxSyncCollectionRounds { get; set; } = 100;

    /// <summary>Outbound HTTP proxy for CalDAV requests (e.g. http://egress.internal:3128). Unset: no proxy at all,
    /// whatever HTTP_PROXY / HTTPS_PROXY / ALL_PROXY say. Set: the SSRF guard still judges every target.</summary>
    public string? Proxy { get; set; }

    internal Uri? ProxyUri => string.IsNullOrWhiteSpace(Proxy) ? null : new Uri(Proxy.Trim());

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
