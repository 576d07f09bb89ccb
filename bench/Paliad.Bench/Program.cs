using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Paliad.Api.Auth;
using Paliad.Domain.Appointments;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Persistence.Outbox;
using Paliad.Infrastructure.Sync;

namespace Paliad.Bench;

/// <summary>./paliad bench: the engine against a local Radicale, in one run, printed as a table. Not a test: numbers, not verdicts.</summary>
internal static class BenchProgram
{
    public static async Task<int> Main()
    {
        var connectionString = Environment.GetEnvironmentVariable("PALIAD_BENCH_CONNECTION") ?? throw new InvalidOperationException("run ./paliad bench");
        var radicale = new Uri(Environment.GetEnvironmentVariable("PALIAD_BENCH_RADICALE_URL") ?? throw new InvalidOperationException("run ./paliad bench"));
        var appointmentCount = int.Parse(Environment.GetEnvironmentVariable("PALIAD_BENCH_APPOINTMENTS") ?? "1000", CultureInfo.InvariantCulture);
        const string signingKey = "paliad-bench-signing-key-0123456789-abcdefgh";

        var httpRequests = new RequestTally();
        var sqlCommands = 0;
        using var sqlListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = _ => Interlocked.Increment(ref sqlCommands),
        };
        ActivitySource.AddActivityListener(sqlListener);

        await using var host = new WebApplicationFactory<global::Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Paliad", connectionString);
            web.UseSetting("Auth:JwtSigningKey", signingKey);
            web.UseSetting("Sync:Enabled", "false");
            web.UseSetting("CalDav:AllowPrivateNetworks", "true");

            // The bench drives whole ticks through the hook entry point: give them room for a large first push.
            web.UseSetting("CalDav:HookTimeoutSeconds", "900");
            web.UseSetting("Sync:TickTimeoutSeconds", "900");
            web.UseSetting("Sync:LeaseSeconds", "1200");
            web.UseSetting("Logging:LogLevel:Default", "Warning");
            web.UseSetting("Logging:LogLevel:Paliad.Infrastructure.Sync.SyncEngine", "Warning");
            web.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            web.ConfigureServices(services => services.AddHttpClient(CalDavHttp.ClientName).AddHttpMessageHandler(() => new CountingHandler(httpRequests)));
        });
        var engine = host.Services.GetRequiredService<SyncEngine>();
        var outbox = host.Services.GetRequiredService<OutboxProcessor>();
        var caldav = host.Services.GetRequiredService<CalDavClientFactory>().Create(radicale.ToString(), "bench", "bench");
        var api = host.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Mint(
            new AuthOptions { JwtSigningKey = signingKey }, "bench@firm.example", null, TimeSpan.FromHours(2), DateTimeOffset.UtcNow));

        var home = await caldav.FindCalendarHomeAsync(await caldav.FindPrincipalAsync());
        var engineCalendar = $"{home}engine-{Guid.NewGuid():N}/";
        var bareCalendar = $"{home}bare-{Guid.NewGuid():N}/";
        await caldav.MakeCalendarAsync(engineCalendar, "engine");
        await caldav.MakeCalendarAsync(bareCalendar, "bare PUT loop");
        (await api.PutAsJsonAsync("/api/caldav-config", new { serverUrl = radicale.ToString(), username = "bench", password = "bench", calendarPath = engineCalendar })).EnsureSuccessStatusCode();

        // 1,000 appointments, written straight to the database (the bench measures the sync, not the API).
        var bindingId = await SeedAsync(host.Services, DevelopmentTokens.UserIdFor("bench@firm.example"), engineCalendar, appointmentCount);

        var rows = new List<(string Scenario, string Result, string Detail)>();

        // Initial push: engine vs a bare PUT loop to the same server.
        var watch = Stopwatch.StartNew();
        var initial = await engine.SyncBindingAsync(bindingId, CancellationToken.None);
        var engineSeconds = watch.Elapsed.TotalSeconds;
        var bareSeconds = await BarePutLoopAsync(radicale, bareCalendar, appointmentCount);
        rows.Add(($"initial push of {appointmentCount:N0}", $"{engineSeconds:F2} s", $"bare PUT loop {bareSeconds:F2} s, ratio {engineSeconds / bareSeconds:F2}x ({initial.Status}, pushed {initial.Pushed})"));

        // The same push to a server 50 ms away (a latency proxy in front of Radicale): concurrency overlaps the
        // round trips the serial loop pays one by one.
        await using (var far = await LatencyProxy.StartAsync(radicale, TimeSpan.FromMilliseconds(50)))
        {
            var farEngineCalendar = $"{home}far-engine-{Guid.NewGuid():N}/";
            var farBareCalendar = $"{home}far-bare-{Guid.NewGuid():N}/";
            await caldav.MakeCalendarAsync(farEngineCalendar, "engine, 50 ms away");
            await caldav.MakeCalendarAsync(farBareCalendar, "bare PUT loop, 50 ms away");
            using var farUser = host.CreateClient();
            farUser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Mint(
                new AuthOptions { JwtSigningKey = signingKey }, "far@firm.example", null, TimeSpan.FromHours(2), DateTimeOffset.UtcNow));
            (await farUser.PutAsJsonAsync("/api/caldav-config", new { serverUrl = far.Url.ToString(), username = "bench", password = "bench", calendarPath = farEngineCalendar }))
                .EnsureSuccessStatusCode();
            var farBinding = await SeedAsync(host.Services, DevelopmentTokens.UserIdFor("far@firm.example"), farEngineCalendar, appointmentCount);
            watch.Restart();
            var farPush = await engine.SyncBindingAsync(farBinding, CancellationToken.None);
            var farEngineSeconds = watch.Elapsed.TotalSeconds;
            var farBareSeconds = await BarePutLoopAsync(far.Url, farBareCalendar, appointmentCount);
            rows.Add(($"initial push of {appointmentCount:N0}, server 50 ms away", $"{farEngineSeconds:F2} s",
                $"bare PUT loop {farBareSeconds:F2} s, ratio {farEngineSeconds / farBareSeconds:F2}x (goal ≤ 0.6x; {farPush.Status}, pushed {farPush.Pushed})"));
        }

        // A no-change tick.
        httpRequests.Reset();
        Interlocked.Exchange(ref sqlCommands, 0);
        watch.Restart();
        var idle = await engine.SyncBindingAsync(bindingId, CancellationToken.None);
        var idleMs = watch.Elapsed.TotalMilliseconds;
        rows.Add(("no-change tick", $"{idleMs:F0} ms", $"{httpRequests.Total} HTTP request(s) ({httpRequests.Describe()}), {sqlCommands} SQL round-trip(s), {idle.Pushed + idle.Updated} PUTs"));

        // 100 edits made on the server, pulled.
        var hrefs = (await caldav.ListEtagsAsync(engineCalendar)).Keys.Take(100).ToList();
        foreach (var href in hrefs)
        {
            var current = await caldav.GetAsync(href);
            var edited = current!.ICalendar.Replace("SUMMARY:Hearing", "SUMMARY:Moved hearing", StringComparison.Ordinal);
            await caldav.UpdateAsync(href, edited, current.Etag!);
        }

        httpRequests.Reset();
        Interlocked.Exchange(ref sqlCommands, 0);
        watch.Restart();
        var pull = await engine.SyncBindingAsync(bindingId, CancellationToken.None);
        rows.Add(("pull 100 remote edits", $"{watch.Elapsed.TotalMilliseconds:F0} ms",
            $"pulled {pull.Pulled}, {httpRequests.Total} HTTP request(s) ({httpRequests.Describe()}), {sqlCommands} SQL round-trip(s)"));

        // Create → visible on the server, through the API and the outbox hook.
        await outbox.ProcessPendingAsync();
        var latencies = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            watch.Restart();
            var begins = new DateTimeOffset(2028, 1, 3, 9, 0, 0, TimeSpan.Zero).AddDays(i);
            (await api.PostAsJsonAsync("/api/appointments", new { title = $"Deadline {i}", startsAt = begins, endsAt = begins.AddHours(1), timeZone = "Europe/Berlin" }))
                .EnsureSuccessStatusCode();
            await outbox.ProcessPendingAsync();
            latencies.Add(watch.Elapsed.TotalMilliseconds);
        }

        latencies.Sort();
        var visible = (await caldav.ListEtagsAsync(engineCalendar)).Count;
        rows.Add(("create-to-visible (200 creates)", $"p50 {Percentile(latencies, 0.50):F1} ms", $"p95 {Percentile(latencies, 0.95):F1} ms, {visible - appointmentCount} of 200 visible"));

        Console.WriteLine();
        Console.WriteLine($"| scenario | result | detail |");
        Console.WriteLine($"|---|---|---|");
        foreach (var (scenario, result, detail) in rows)
        {
            Console.WriteLine($"| {scenario} | {result} | {detail} |");
        }

        return 0;
    }

    /// <summary>Appointments for one user written straight to the database; returns the binding on the calendar.</summary>
    private static async Task<Guid> SeedAsync(IServiceProvider services, Guid ownerId, string calendar, int count)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var start = new DateTimeOffset(2027, 1, 4, 8, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var begins = start.AddHours(i * 5);
            db.Appointments.Add(Appointment.Create(ownerId, null,
                new AppointmentDetails($"Hearing {i}", "Bring the claim charts", "LG Düsseldorf", begins, begins.AddHours(1), false, "Europe/Berlin"), DateTimeOffset.UtcNow));
        }

        await db.SaveChangesAsync();
        await db.OutboxMessages.ExecuteDeleteAsync();
        return await db.CalendarBindings.Where(b => b.CalendarPath == calendar).Select(b => b.Id).SingleAsync();
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    // The floor: sequential conditional PUTs of the same kind of events on a plain HttpClient, nothing recorded.
    private static async Task<double> BarePutLoopAsync(Uri server, string calendar, int count)
    {
        using var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("bench:bench")));
        var start = new DateTimeOffset(2027, 1, 4, 8, 0, 0, TimeSpan.Zero);
        var bodies = Enumerable.Range(0, count).Select(i =>
        {
            var begins = start.AddHours(i * 5);
            var uid = $"bare-{i}";
            return (uid, ICalendarMapper.ToICalendar(new EventContent(uid, $"Hearing {i}", "Bring the claim charts", "LG Düsseldorf", begins, begins.AddHours(1), false, "Europe/Berlin"), 1, begins, begins, begins));
        }).ToList();
        var watch = Stopwatch.StartNew();
        foreach (var (uid, ics) in bodies)
        {
            // One retry when the server drops a kept-alive connection, as the engine's pipeline does.
            for (var attempt = 1; ; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, calendar + uid + ".ics") { Content = new StringContent(ics, Encoding.UTF8, "text/calendar") };
                request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
                try
                {
                    using var response = await http.SendAsync(request);
                    response.EnsureSuccessStatusCode();
                    break;
                }
                catch (HttpRequestException) when (attempt < 3)
                {
                }
            }
        }

        return watch.Elapsed.TotalSeconds;
    }
}

/// <summary>Counts the CalDAV requests the engine sends, by method.</summary>
internal sealed class RequestTally
{
    private readonly Dictionary<string, int> _byMethod = [];

    public int Total
    {
        get
        {
            lock (_byMethod)
            {
                return _byMethod.Values.Sum();
            }
        }
    }

    public void Add(string method)
    {
        lock (_byMethod)
        {
            _byMethod[method] = _byMethod.GetValueOrDefault(method) + 1;
        }
    }

    public void Reset()
    {
        lock (_byMethod)
        {
            _byMethod.Clear();
        }
    }

    public string Describe()
    {
        lock (_byMethod)
        {
            return string.Join(", ", _byMethod.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Value} {m.Key}"));
        }
    }
}

internal sealed class CountingHandler(RequestTally tally) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        tally.Add(request.Method.Method);
        return base.SendAsync(request, cancellationToken);
    }
}
