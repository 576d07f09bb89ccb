using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Api;

/// <summary>OpenTelemetry: the sync counters and backlog gauges at /metrics (Prometheus text), and a tick's trace
/// whose children are its CalDAV requests and SQL commands (an in-memory exporter).</summary>
public sealed class TelemetryTests : ApiTest
{
    private const string Alice = "alice@firm.example";
    private readonly List<Activity> _exported = [];
    private PaliadApiFactory _factory = null!;
    private WebApplicationFactory<Program> _host = null!;

    [SetUp]
    public void StartHost()
    {
        _factory = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
        {
            ["Telemetry:PrometheusEndpoint"] = "true",
            ["Telemetry:Tracing"] = "true",
        });
        _host = _factory.WithWebHostBuilder(web => web.ConfigureServices(services =>
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_exported))));
    }

    [TearDown]
    public async Task StopHostAsync()
    {
        await _host.DisposeAsync();
        await _factory.DisposeAsync();
    }

    [Test]
    public async Task Metrics_expose_the_sync_counters_after_a_tick_and_the_backlog_gauges()
    {
        var binding = await OneAppointmentToPushAsync();
        await _host.Services.GetRequiredService<SyncEngine>().SyncBindingAsync(binding, CancellationToken.None);
        await _host.Services.GetRequiredService<SyncGauges>().RefreshAsync();

        using var client = _host.CreateClient();
        var text = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.That(text, Does.Match(@"paliad_sync_pushes(_total)?\{[^}]*\} 1(\s|$)"), "one event pushed");
        Assert.That(text, Does.Contain("paliad_sync_tick_duration"));
        Assert.That(text, Does.Contain("paliad_outbox_pending"));
        Assert.That(text, Does.Contain("paliad_sync_bindings_due"));
    }

    [Test]
    public async Task A_tick_is_a_span_whose_children_are_its_caldav_requests_and_sql_commands()
    {
        var binding = await OneAppointmentToPushAsync();

        await _host.Services.GetRequiredService<SyncEngine>().SyncBindingAsync(binding, CancellationToken.None);

        var tick = _exported.Single(a => a.OperationName == "paliad.sync.tick");
        Assert.That(tick.GetTagItem("paliad.binding.id"), Is.EqualTo(binding.ToString()));
        Assert.That(tick.GetTagItem("paliad.sync.status"), Is.EqualTo("ok"));
        Assert.That(tick.GetTagItem("paliad.sync.pushed"), Is.EqualTo(1));
        var descendants = _exported.Where(a => a.TraceId == tick.TraceId && a != tick).ToList();
        // WebDAV methods are "_OTHER" in http.request.method (OpenTelemetry's known methods), the verb in ..._original.
        var methods = descendants.Select(a => (a.GetTagItem("http.request.method_original") ?? a.GetTagItem("http.request.method")) as string).ToList();
        Assert.That(methods, Has.Some.EqualTo("PUT").And.Some.EqualTo("PROPFIND"), "its CalDAV requests");
        Assert.That(descendants.Select(a => a.Source.Name), Has.Some.EqualTo("Npgsql"), "its SQL commands");
    }

    private async Task<Guid> OneAppointmentToPushAsync()
    {
        var radicale = CalDavServers.Url(CalDavServers.Radicale);
        var alice = As(Alice);
        await ExpectAsync(PutAsync(alice, "/api/caldav-config", new { serverUrl = radicale.ToString(), username = CalDavServers.Username, password = CalDavServers.Password }),
            HttpStatusCode.OK);
        var home = await CalDavServers.Client(radicale, CalDavServers.TestOptions()).FindCalendarHomeAsync("/paliad/");
        var binding = await CreateBindingAsync(alice, $"{home}telemetry-{Guid.NewGuid():N}/", "personal_only");
        await CreateAppointmentAsync(alice, "Hearing");
        return binding;
    }
}
