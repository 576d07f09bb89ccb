using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Paliad.Infrastructure.Persistence.Outbox;
using Paliad.Infrastructure.Sync;

namespace Paliad.Api.Composition;

/// <summary>
/// OpenTelemetry: metrics of the sync engine and the outbox (meters Paliad.Sync, Paliad.Outbox, with the backlog
/// gauges), ASP.NET Core, HttpClient, Npgsql and the runtime; traces with a span per tick and per hook whose children
/// are its CalDAV requests and SQL commands. OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard
/// OTEL_* variables configure it); Prometheus text at /metrics when Telemetry:PrometheusEndpoint (default:
/// Development only).
/// </summary>
public static class TelemetrySetup
{
    public const string PrometheusKey = "Telemetry:PrometheusEndpoint";

    /// <summary>Record traces (default: when an OTLP endpoint is configured — without an exporter they cost CPU for nothing).</summary>
    public const string TracingKey = "Telemetry:Tracing";

    public static IServiceCollection AddPaliadTelemetry(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = PrometheusEnabled(configuration, environment);
        var tracingOn = configuration.GetValue(TracingKey, otlp);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("paliad"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SyncMetrics.MeterName, OutboxMetrics.MeterName, "Npgsql")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (tracingOn)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(SyncTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.EnrichWithHttpRequest = HideFeedSecret)
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        }

        return services;
    }

    /// <summary>A feed's URL is its credential: a trace keeps its route, not its secret.</summary>
    private static void HideFeedSecret(System.Diagnostics.Activity activity, HttpRequest request)
    {
        if (request.Path.StartsWithSegments("/feeds", StringComparison.Ordinal))
        {
            activity.SetTag("url.path", "/feeds/{id}/{secret}.ics");
            activity.SetTag("url.full", null);
        }
    }

    public static bool PrometheusEnabled(IConfiguration configuration, IHostEnvironment environment)
        => configuration.GetValue(PrometheusKey, environment.IsDevelopment());
}
