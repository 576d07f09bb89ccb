using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Paliad.IntegrationTests.Infrastructure;

/// <summary>The real API host on the run's database. Settings go in through UseSetting because Program reads
/// them while building, before ConfigureAppConfiguration callbacks would run.</summary>
public sealed class PaliadApiFactory(string connectionString, IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    public const string SigningKey = "paliad-integration-tests-signing-key-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Paliad", connectionString);
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("Auth:JwtSigningKey", SigningKey);

        // The test CalDAV servers listen on loopback.
        builder.UseSetting("CalDav:AllowPrivateNetworks", "true");
        builder.UseSetting("CalDav:RetryBaseDelaySeconds", "0.05");

        // Tests take servers down and up within a second; the breaker would (rightly) keep refusing for 15 s.
        builder.UseSetting("CalDav:CircuitBreakerMinimumThroughput", "100000");

        // Tests drive the engine and the outbox themselves (RunTickAsync, ProcessPendingAsync): no background workers.
        builder.UseSetting("Sync:Enabled", "false");
        builder.UseSetting("Outbox:MaxAttempts", "4");
        builder.UseSetting("Sync:ManualSyncWaitSeconds", "0.5");

        // Many tests sync one user often; the rate-limit tests start their own host with the real limits.
        builder.UseSetting("Api:RemoteRequestsPerMinute", "100000");
        builder.UseSetting("Api:WritesPerMinute", "100000");
        builder.UseSetting("Api:MaxConcurrentDiscoveriesPerUser", "100");
        builder.UseSetting("Api:FeedMissesPerHourPerAddress", "360000");

        // The OpenAPI tests read the document (served by default in Development only).
        builder.UseSetting("Api:PublishReference", "true");

        // Per-host overrides (a second instance with its background workers on, say).
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }
}
