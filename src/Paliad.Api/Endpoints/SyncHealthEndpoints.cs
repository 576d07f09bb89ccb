using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Paliad.Application.Operations;

namespace Paliad.Api.Endpoints;

/// <summary>GET /health/sync: is sync keeping up? For operators: it answers only with the configured
/// <c>Health:OperatorKey</c> in <c>X-Operator-Key</c> (404 while no key is configured, 401 for a wrong one);
/// 200 when healthy, 503 when a threshold is crossed (the body says which). Wrong keys are rate-limited per client
/// address (<see cref="WrongKeysPerMinute"/> in any minute, then 429 with Retry-After until the oldest is a minute old),
/// so the key cannot be guessed at speed.</summary>
internal static class SyncHealthEndpoints
{
    public const string KeyHeader = "X-Operator-Key";

    /// <summary>Wrong operator keys one client address may send per minute (a burst of that many, then one back every
    /// 60/N seconds).</summary>
    public const int WrongKeysPerMinute = 5;

    public static WebApplication MapSyncHealth(this WebApplication app)
    {
        var wrongKeys = new WrongKeys(app.Services.GetRequiredService<TimeProvider>());
        app.MapGet("/health/sync", async (HttpContext http, ISyncHealth health, IOptionsMonitor<HealthOptions> options, CancellationToken ct) =>
            {
                var key = options.CurrentValue.OperatorKey;
                if (string.IsNullOrEmpty(key))
                {
                    return Results.NotFound();
                }

                var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                if (wrongKeys.WaitFor(address) is { } wait)
                {
                    http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many wrong operator keys; try again after Retry-After.");
                }

                var sent = http.Request.Headers[KeyHeader].ToString();
                if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(key)))
                {
                    wrongKeys.Record(address);
                    return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: $"Send the operator key in {KeyHeader}.");
                }

                var report = await health.ReadAsync(ct);
                return Results.Json(report, statusCode: report.Degraded.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>The wrong keys each client address sent in the last minute (at most <see cref="WrongKeysPerMinute"/>
    /// kept per address; addresses quiet for a minute are forgotten when many are kept).</summary>
    private sealed class WrongKeys(TimeProvider clock)
    {
        private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
        private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _byAddress = new(StringComparer.Ordinal);

        /// <summary>How long this address must wait before a key is compared again; null when it need not.</summary>
        public TimeSpan? WaitFor(string address)
        {
            if (!_byAddress.TryGetValue(address, out var times))
            {
                return null;
            }

            var now = clock.GetUtcNow();
            lock (times)
            {
                while (times.Count > 0 && now - times.Peek() >= Window)
                {
                    times.Dequeue();
                }

                return times.Count >= WrongKeysPerMinute ? times.Peek() + Window - now : null;
            }
        }

        public void Record(string address)
        {
            if (_byAddress.Count > 10_000)
            {
                var now = clock.GetUtcNow();
                foreach (var (quiet, _) in _byAddress.Where(e => WaitFor(e.Key) is null && now - LastOf(e.Value) >= Window))
                {
                    _byAddress.TryRemove(quiet, out _);
                }
            }

            var times = _byAddress.GetOrAdd(address, _ => new Queue<DateTimeOffset>());
            lock (times)
            {
                times.Enqueue(clock.GetUtcNow());
                while (times.Count > WrongKeysPerMinute)
                {
                    times.Dequeue();
                }
            }
        }

        private static DateTimeOffset LastOf(Queue<DateTimeOffset> times)
        {
            lock (times)
            {
                return times.Count == 0 ? DateTimeOffset.MinValue : times.Last();
            }
        }
    }
}
