using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Paliad.Api.Auth;

namespace Paliad.Api.Protection;

/// <summary>Configuration section "Api": the limits that keep one user (or a burst of users) from turning Paliad into
/// a tool against remote servers, or against Paliad itself.</summary>
public sealed class ApiProtectionOptions
{
    public const string Section = "Api";

    /// <summary>Requests per user per minute to endpoints that reach remote servers (POST /api/caldav-sync,
    /// GET /api/caldav-calendars); also the burst allowed at once.</summary>
    public int RemoteRequestsPerMinute { get; set; } = 20;

    /// <summary>Discoveries (GET /api/caldav-calendars) running at once across all users; a few more may queue.</summary>
    public int MaxConcurrentDiscoveries { get; set; } = 16;

    /// <summary>Discoveries one user may run at once (as many more may wait), inside the global limit: one user's
    /// stalling server cannot take every discovery slot.</summary>
    public int MaxConcurrentDiscoveriesPerUser { get; set; } = 2;

    /// <summary>Changes per user per minute to appointments and bindings (POST/PATCH/DELETE); also the burst allowed
    /// at once. Each change fans out to every member's calendars, so one script cannot queue unbounded work.</summary>
    public int WritesPerMinute { get; set; } = 120;

    /// <summary>Largest request body accepted (413 beyond).</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Fetches of one feed per hour (a burst of a few, then one back every 3600/N s): calendar clients poll
    /// every few hours; anything much faster is a script.</summary>
    public int FeedFetchesPerHour { get; set; } = 60;

    /// <summary>Feed URLs with a wrong id or secret one client address may try per hour (a burst of 10, then one back
    /// every 3600/N s); beyond, the address's feed fetches answer 429 until it recovers. Generous: a firm's subscriptions
    /// of deleted feeds, polled every few hours from one mail provider's address, stay far below it.</summary>
    public int FeedMissesPerHourPerAddress { get; set; } = 120;
}

/// <summary>
/// Rate limits (ASP.NET Core rate limiting): a per-user token bucket on the endpoints that reach remote servers, a
/// global concurrency limit on discovery, and a cap on request bodies. Refusals are problem+json with Retry-After.
/// </summary>
internal static class ApiProtection
{
    public const string RemotePolicy = "remote";
    public const string WritePolicy = "writes";
    private const string DiscoveryPath = "/api/caldav-calendars";

    public static IServiceCollection AddApiProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(ApiProtectionOptions.Section).Get<ApiProtectionOptions>() ?? new ApiProtectionOptions();
        services.Configure<ApiProtectionOptions>(configuration.GetSection(ApiProtectionOptions.Section));
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = WriteRejectionAsync;
            limiter.AddPolicy(RemotePolicy, http => PerUserPerMinute(http, options.RemoteRequestsPerMinute));
            limiter.AddPolicy(WritePolicy, http => PerUserPerMinute(http, options.WritesPerMinute));

            // Discovery: first the user's own few slots (waiting there holds nothing global), then the global ones.
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsDiscovery(http)
                    ? RateLimitPartition.GetConcurrencyLimiter(UserKey(http), _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = Math.Max(1, options.MaxConcurrentDiscoveriesPerUser),
                        QueueLimit = Math.Max(1, options.MaxConcurrentDiscoveriesPerUser),
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    })
                    : RateLimitPartition.GetNoLimiter(string.Empty)),
                PartitionedRateLimiter.Create<HttpContext, string>(http => IsDiscovery(http)
                    ? RateLimitPartition.GetConcurrencyLimiter("discovery", _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = Math.Max(1, options.MaxConcurrentDiscoveries),
                        QueueLimit = Math.Max(1, options.MaxConcurrentDiscoveries),
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    })
                    : RateLimitPartition.GetNoLimiter(string.Empty)));
        });
        services.AddSingleton<FeedFetchLimits>();
        services.AddSingleton<Paliad.Application.Feeds.ReadFeed.IFeedFetchLimits>(provider => provider.GetRequiredService<FeedFetchLimits>());
        return services;
    }

    private static bool IsDiscovery(HttpContext http) => http.Request.Path.StartsWithSegments(DiscoveryPath, StringComparison.OrdinalIgnoreCase);

    private static string UserKey(HttpContext http) => http.User.TryUserId(out var userId) ? userId.ToString() : "anonymous";

    /// <summary>A token bucket per user: a burst of the whole minute's allowance, then one request back every 60/N
    /// seconds (so Retry-After says seconds, not a minute).</summary>
    private static RateLimitPartition<string> PerUserPerMinute(HttpContext http, int perMinute)
        => RateLimitPartition.GetTokenBucketLimiter(UserKey(http), _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, perMinute),
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / Math.Max(1, perMinute),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>413 before a byte of an oversized body is read (Content-Length), and the server's own limit for bodies
    /// without one.</summary>
    public static IApplicationBuilder UseRequestBodyCap(this IApplicationBuilder app)
        => app.Use(async (context, next) =>
        {
            var cap = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ApiProtectionOptions>>().Value.MaxRequestBodyBytes;
            if (context.Request.ContentLength > cap)
            {
                await WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
                    $"Request bodies are limited to {cap} bytes.", retryAfter: null);
                return;
            }

            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = cap;
            }
            else if (context.Request.ContentLength is null)
            {
                // A server without that feature (an in-process test host): count the chunked body ourselves.
                context.Request.Body = new CappedStream(context.Request.Body, cap);
            }

            await next(context);
        });

    private static async ValueTask WriteRejectionAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var reachesServer = IsDiscovery(context.HttpContext) || context.HttpContext.Request.Path.StartsWithSegments("/api/caldav-sync", StringComparison.OrdinalIgnoreCase);
        await WriteProblemAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests.",
            reachesServer
                ? "This reaches your CalDAV server; try again after the time in Retry-After."
                : "Changes are limited per person, because each one reaches every member's calendars; try again after the time in Retry-After.",
            retryAfter);
    }

    internal static async Task WriteProblemAsync(HttpContext http, int status, string title, string detail, TimeSpan? retryAfter)
    {
        http.Response.StatusCode = status;
        if (retryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}

/// <summary>A request body that refuses to be read past its cap (413).</summary>
internal sealed class CappedStream(Stream inner, long cap) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Count(await inner.ReadAsync(buffer, cancellationToken));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _read += read;
        return _read > cap
            ? throw new BadHttpRequestException($"Request bodies are limited to {cap} bytes.", StatusCodes.Status413PayloadTooLarge)
            : read;
    }
}
