using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace Paliad.Infrastructure.CalDav;

/// <summary>
/// The HTTP stack under the CalDAV client: no automatic redirects (the client follows same-origin ones itself, so
/// credentials never go to another origin), the SSRF guard at connect time, every answer read whole inside its
/// attempt's timeout with size and compression bounds (<see cref="CalDavTransportHandler"/>), and a resilience pipeline per server
/// (authority): a total timeout, retries with exponential backoff and jitter for idempotent requests only
/// (PROPFIND, REPORT, GET, conditional PUT and DELETE, and MKCALENDAR, whose repeat is a harmless "already exists"), Retry-After honoured up to CalDav:MaxRetryAfterSeconds, a circuit breaker, and a
/// per-attempt timeout.
/// </summary>
public static class CalDavHttp
{
    public const string ClientName = "caldav";

    /// <summary>The account's partition on a server every user shares (set by the client, see
    /// <see cref="CalDavAccount.Partition"/>).</summary>
    public static readonly HttpRequestOptionsKey<string> PartitionKey = new("Paliad.CalDav.Partition");

    /// <summary>What a request's concurrency window, retries and circuit breaker belong to: the account's partition
    /// on a shared provider (Google's quota is per user: one user's 429s must not slow everybody down), otherwise the
    /// server's authority.</summary>
    public static string PartitionOf(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(PartitionKey, out var partition) ? partition : request.RequestUri!.Authority;
    }

    /// <summary>Idempotent methods (RFC 9110 §9.2.2). PUT and DELETE are sent with If-Match / If-None-Match, so a
    /// retry after a lost answer cannot overwrite anything: at worst it is a 412 the engine reconciles. A repeated
    /// MKCALENDAR whose first try landed answers "already exists", which every caller takes as done.</summary>
    private static readonly HashSet<string> RetriableMethods = new(StringComparer.OrdinalIgnoreCase)
    {
        "GET", "HEAD", "OPTIONS", "PROPFIND", "REPORT", "PUT", "DELETE", "MKCALENDAR",
    };

    public static IServiceCollection AddCalDavHttp(this IServiceCollection services)
    {
        var builder = services.AddHttpClient(ClientName, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("Paliad-CalDAV/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(sp => CreatePrimaryHandler(() => sp.GetRequiredService<IOptionsMonitor<CalDavOptions>>().CurrentValue));
        builder.AddResilienceHandler("caldav", (pipeline, context) =>
                Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<CalDavOptions>>().Value))
            .SelectPipelineBy(_ => PartitionOf);

        // Registered after the resilience handler, so they sit under it: once per attempt — a place in the server's
        // window, then the whole answer read inside the attempt's timeout.
        services.AddSingleton(sp => new ServerConcurrency(() => sp.GetRequiredService<IOptionsMonitor<CalDavOptions>>().CurrentValue));
        services.AddSingleton(sp => AnswerBudgetFor(() => sp.GetRequiredService<IOptionsMonitor<CalDavOptions>>().CurrentValue));
        builder.AddHttpMessageHandler(sp => new ServerConcurrencyHandler(sp.GetRequiredService<ServerConcurrency>()));
        builder.AddHttpMessageHandler(sp => new CalDavTransportHandler(
            () => sp.GetRequiredService<IOptionsMonitor<CalDavOptions>>().CurrentValue, sp.GetRequiredService<AnswerBudget>()));
        return services;
    }

    /// <summary>The sockets under everything. No automatic decompression (the transport handler decompresses, so it
    /// can bound the ratio) and no proxy unless CalDav:Proxy names one: environment proxies are ignored.</summary>
    public static SocketsHttpHandler CreatePrimaryHandler(Func<CalDavOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var proxy = options().ProxyUri;
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = proxy is not null,
            Proxy = proxy is null ? null : new WebProxy(proxy),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = NetworkGuard.ConnectCallback(options),
        };
    }

    /// <summary>What runs under the resilience pipeline, per attempt (the chain AddCalDavHttp builds): the server's
    /// concurrency window, the transport handler, the sockets.</summary>
    public static DelegatingHandler CreateAttemptHandler(Func<CalDavOptions> options, ServerConcurrency? concurrency = null, AnswerBudget? budget = null)
        => new ServerConcurrencyHandler(concurrency ?? new ServerConcurrency(options))
        {
            InnerHandler = new CalDavTransportHandler(options, budget ?? AnswerBudgetFor(options)) { InnerHandler = CreatePrimaryHandler(options) },
        };

    /// <summary>The process's budget of answer bytes in flight (CalDav:MaxInFlightResponseBytes), never below one answer.</summary>
    public static AnswerBudget AnswerBudgetFor(Func<CalDavOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AnswerBudget(() => Math.Max(options().MaxInFlightResponseBytes, options().MaxResponseBytes));
    }

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, CalDavOptions options)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(options);
        var attempt = TimeSpan.FromSeconds(Math.Max(1, options.RequestTimeoutSeconds));
        var retries = Math.Max(0, options.MaxRetries);
        pipeline.AddTimeout(attempt * (retries + 1) + TimeSpan.FromSeconds(Math.Max(0, options.MaxRetryAfterSeconds) * retries));
        if (retries > 0)
        {
            // Polly refuses zero retries; CalDav:MaxRetries=0 simply means no retry strategy.
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(options.RetryBaseDelaySeconds),
                MaxDelay = TimeSpan.FromSeconds(Math.Max(1, options.MaxRetryAfterSeconds)),
                ShouldRetryAfterHeader = false,
                DelayGenerator = args => ValueTask.FromResult(RetryDelay(args.Outcome, args.AttemptNumber)),
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context.GetRequestMessage(), args.Outcome, options)),
            });
        }

        pipeline
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = Math.Max(2, options.CircuitBreakerMinimumThroughput),
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(Math.Max(1, options.CircuitBreakerBreakSeconds)),
            })
            .AddTimeout(attempt);
    }

    private static bool ShouldRetry(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome, CalDavOptions options)
    {
        if (request is null || !RetriableMethods.Contains(request.Method.Method))
        {
            return false;
        }

        if (outcome.Exception is not null)
        {
            return outcome.Exception is (HttpRequestException { InnerException: not CalDavException }) or TimeoutRejectedException;
        }

        var response = outcome.Result!;
        var status = (int)response.StatusCode;
        if (status is 429 or 503 && RetryAfter(response) is { } wait && wait > TimeSpan.FromSeconds(options.MaxRetryAfterSeconds))
        {
            return false; // too long to wait inside a request: the engine gets RateLimited and backs off.
        }

        return status is 408 or 429 || status >= 500;
    }

    /// <summary>The wait before a retry: none the first time a kept-alive connection turns out closed by the server
    /// before any answer (servers drop idle connections; the next attempt opens a fresh one — waiting would only slow a
    /// large push down), the server's Retry-After when it gave one, else exponential backoff with jitter (null).</summary>
    internal static TimeSpan? RetryDelay(Outcome<HttpResponseMessage> outcome, int attempt)
    {
        if (outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }
            or HttpRequestException { InnerException: HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } })
        {
            return attempt == 0 ? TimeSpan.Zero : null;
        }

        return outcome.Result is { } response ? RetryAfter(response) : null;
    }

    /// <summary>Retry-After as a delay (seconds or an HTTP date), clamped to [0, 1 h]; null when absent.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is null ? null : TimeSpan.FromTicks(Math.Clamp(wait.Value.Ticks, 0, TimeSpan.FromHours(1).Ticks));
    }
}
