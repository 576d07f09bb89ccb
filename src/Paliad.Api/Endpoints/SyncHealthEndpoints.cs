using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Paliad.Infrastructure.Sync;

namespace Paliad.Api.Endpoints;

/// <summary>GET /health/sync: is sync keeping up? For operators: it answers only with the configured
/// <c>Health:OperatorKey</c> in <c>X-Operator-Key</c> (404 while no key is configured, 401 for a wrong one);
/// 200 when healthy, 503 when a threshold is crossed (the body says which). Wrong keys are rate-limited per client
/// address (<see cref="WrongKeysPerMinute"/>, then 429 with Retry-After), so the key cannot be guessed at speed.</summary>
internal static class SyncHealthEndpoints
{
    public const string KeyHeader = "X-Operator-Key";

    /// <summary>Wrong operator keys one client address may send per minute (a burst of that many, then one back every
    /// 60/N seconds).</summary>
    public const int WrongKeysPerMinute = 5;

    public static WebApplication MapSyncHealth(this WebApplication app)
    {
        var wrongKeys = PartitionedRateLimiter.Create<string, string>(address =>
            RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = WrongKeysPerMinute,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / WrongKeysPerMinute,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        app.Lifetime.ApplicationStopped.Register(wrongKeys.Dispose);
        app.MapGet("/health/sync", async (HttpContext http, SyncHealth health, IOptionsMonitor<HealthOptions> options, CancellationToken ct) =>
            {
                var key = options.CurrentValue.OperatorKey;
                if (string.IsNullOrEmpty(key))
                {
                    return Results.NotFound();
                }

                var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                using (var room = wrongKeys.AttemptAcquire(address, permitCount: 0))
                {
                    if (!room.IsAcquired)
                    {
                        http.Response.Headers.RetryAfter = ((int)Math.Ceiling((TimeSpan.FromMinutes(1) / WrongKeysPerMinute).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many wrong operator keys; try again after Retry-After.");
                    }
                }

                var sent = http.Request.Headers[KeyHeader].ToString();
                if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(key)))
                {
                    wrongKeys.AttemptAcquire(address).Dispose();
                    return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: $"Send the operator key in {KeyHeader}.");
                }

                var report = await health.ReadAsync(ct);
                return Results.Json(report, statusCode: report.Degraded.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }
}
