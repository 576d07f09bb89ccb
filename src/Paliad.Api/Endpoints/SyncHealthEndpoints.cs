using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Paliad.Infrastructure.Sync;

namespace Paliad.Api.Endpoints;

/// <summary>GET /health/sync: is sync keeping up? For operators: it answers only with the configured
/// <c>Health:OperatorKey</c> in <c>X-Operator-Key</c> (404 while no key is configured, 401 for a wrong one);
/// 200 when healthy, 503 when a threshold is crossed (the body says which).</summary>
internal static class SyncHealthEndpoints
{
    public const string KeyHeader = "X-Operator-Key";

    public static WebApplication MapSyncHealth(this WebApplication app)
    {
        app.MapGet("/health/sync", async (HttpContext http, SyncHealth health, IOptionsMonitor<HealthOptions> options, CancellationToken ct) =>
            {
                var key = options.CurrentValue.OperatorKey;
                if (string.IsNullOrEmpty(key))
                {
                    return Results.NotFound();
                }

                var sent = http.Request.Headers[KeyHeader].ToString();
                if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(key)))
                {
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
