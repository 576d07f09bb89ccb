using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
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
    /// <summary>Where every measured host logs (<c>PALIAD_BENCH_LOG</c>); one writer for both hosts of the fleet round.</summary>
    private static FileLoggerProvider? HostLog { get; set; }

    public static async Task<int> Main(string[] args)
    {
        if (args is ["median", .. var files])
        {
            return Median.Print(files);
        }

        using var hostLog = Environment.GetEnvironmentVariable("PALIAD_BENCH_LOG") is { } logFile ? new FileLoggerProvider(logFile) : null;
        HostLog = hostLog;
        var connectionString = Environment.GetEnvironmentVariable("PALIAD_BENCH_CONNECTION") ?? throw new InvalidOperationException("run ./paliad bench");
        var radicale = new Uri(Environment.GetEnvironmentVariable("PALIAD_BENCH_RADICALE_URL") ?? throw new InvalidOperationException("run ./paliad bench"));
        var appointmentCount = int.Parse(Environment.GetEnvironmentVariable("PALIAD_BENCH_APPOINTMENTS") ?? "1000", CultureInfo.InvariantCulture);
        var scaleCount = int.Parse(Environment.GetEnvironmentVariable("PALIAD_BENCH_SCALE_APPOINTMENTS") ?? "10000", CultureInfo.InvariantCulture);
        var radicaleStorage = Environment.GetEnvironmentVariable("PALIAD_BENCH_RADICALE_STORAGE") ?? throw new InvalidOperationException("run ./paliad bench");
        var fleetUsers = int.Parse(Environment.GetEnvironmentVariable("PALIAD_BENCH_FLEET_USERS") ?? "1000", CultureInfo.InvariantCulture);
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

        await using var host = Host(connectionString, signingKey, httpRequests);
        var engine = host.Services.GetRequiredService<SyncEngine>();
        var outbox = host.Services.GetRequiredService<OutboxProcessor>();
        var caldav = host.Services.GetRequiredService<CalDavClientFactory>().Create(radicale.ToString(), "bench", "bench");
        var api = UserClient(host, signingKey, "bench@firm.example");

        var home = await caldav.FindCalendarHomeAsync(await caldav.FindPrincipalAsync());
        var engineCalendar = $"{home}engine-{Guid.NewGuid():N}/";
        var bareCalendar = $"{home}bare-{Guid.NewGuid():N}/";
        await caldav.MakeCalendarAsync(engineCalendar, "engine");
        await caldav.MakeCalendarAsync(bareCalendar, "bare PUT loop");
        (await api.PutAsJsonAsync("/api/caldav-config", new { serverUrl = radicale.ToString(), username = "bench", password = "bench", calendarPath = engineCalendar })).EnsureSuccessStatusCode();

        // 1,000 appointments, written straight to the database (the bench measures the sync, not the API).
        var bindingId = await SeedAsync(host.Services, DevelopmentTokens.UserIdFor("bench@firm.example"), engineCalendar, appointmentCount);

        var table = new Table();

        // Initial push: engine vs a bare PUT loop to the same server.
        var concurrency = host.Services.GetRequiredService<ServerConcurrency>();
        httpRequests.Reset();
        var watch = Stopwatch.StartNew();
        var initial = await engine.SyncBindingAsync(bindingId, CancellationToken.None);
        var engineSeconds = watch.Elapsed.TotalSeconds;
        var pushRequests = $"{httpRequests.Total} HTTP request(s) ({httpRequests.Describe()}), waiting on the server {httpRequests.ServerMilliseconds / 1000:F2} s, window at the end {concurrency.WindowOf(radicale.Authority):F1}";
        var bareSeconds = await BarePutLoopAsync(radicale, bareCalendar, appointmentCount);
        var onePutMs = bareSeconds * 1000 / appointmentCount;
        table.Add($"initial push of {appointmentCount:N0}", $"{engineSeconds:F2} s", $"bare PUT loop {bareSeconds:F2} s", engineSeconds / bareSeconds, 1.05,
            $"{initial.Status}, pushed {initial.Counts.Pushed}; {pushRequests}");

        // The same push to a server 50 ms away (a latency proxy in front of Radicale): concurrency overlaps the
        // round trips the serial loop pays one by one.
        await using (var far = await LatencyProxy.StartAsync(radicale, TimeSpan.FromMilliseconds(50)))
        {
            var farEngineCalendar = $"{home}far-engine-{Guid.NewGuid():N}/";
            var farBareCalendar = $"{home}far-bare-{Guid.NewGuid():N}/";
            await caldav.MakeCalendarAsync(farEngineCalendar, "engine, 50 ms away");
            await caldav.MakeCalendarAsync(farBareCalendar, "bare PUT loop, 50 ms away");
            using var farUser = UserClient(host, signingKey, "far@firm.example");
            (await farUser.PutAsJsonAsync("/api/caldav-config", new { serverUrl = far.Url.ToString(), username = "bench", password = "bench", calendarPath = farEngineCalendar }))
                .EnsureSuccessStatusCode();
            var farBinding = await SeedAsync(host.Services, DevelopmentTokens.UserIdFor("far@firm.example"), farEngineCalendar, appointmentCount);
            httpRequests.Reset();
            watch.Restart();
            var farPush = await engine.SyncBindingAsync(farBinding, CancellationToken.None);
            var farEngineSeconds = watch.Elapsed.TotalSeconds;
            var farRequests = $"{httpRequests.Total} HTTP request(s) ({httpRequests.Describe()}), window at the end {concurrency.WindowOf(far.Url.Authority):F1}";
            var farBareSeconds = await BarePutLoopAsync(far.Url, farBareCalendar, appointmentCount);
            table.Add($"initial push of {appointmentCount:N0}, server 50 ms away", $"{farEngineSeconds:F2} s", $"bare PUT loop {farBareSeconds:F2} s",
                farEngineSeconds / farBareSeconds, 0.6, $"{farPush.Status}, pushed {farPush.Counts.Pushed}; {farRequests}");
        }

        // vdirsyncer mirrors the engine's calendar into a folder (its first sync is set-up, not measured).
        await using var vdirsyncer = await VdirsyncerContestant.PrepareAsync(radicale, engineCalendar, "bench", "bench");

        // A no-change tick: time (warm), requests, SQL round trips, rows read.
        var idle = await NoChangeTickAsync(engine, bindingId, connectionString, httpRequests, () => Interlocked.Exchange(ref sqlCommands, 0));
        var vdirsyncerIdle = vdirsyncer is null ? (double?)null : await vdirsyncer.SyncSecondsAsync();
        table.Add("no-change tick", $"{idle.Milliseconds:F0} ms", vdirsyncerIdle is { } vi ? $"vdirsyncer {vi * 1000:F0} ms" : "vdirsyncer not installed",
            vdirsyncerIdle is { } v1 ? idle.Milliseconds / 1000 / v1 : null, 0.1, idle.Detail);

        // The same through the API, as the page's "Sync now" does it (POST /api/caldav-sync): the median of 7, warm.
        var syncNow = await SyncNowAsync(api, bindingId, httpRequests, () => Interlocked.Exchange(ref sqlCommands, 0));
        table.Add("no-change \"sync now\" (POST /api/caldav-sync)", $"{syncNow.Milliseconds:F0} ms",
            vdirsyncerIdle is { } vs ? $"vdirsyncer {vs * 1000:F0} ms" : "vdirsyncer not installed", vdirsyncerIdle is { } v3 ? syncNow.Milliseconds / 1000 / v3 : null, 0.1,
            syncNow.Detail);

        // The read-only feed of the same 1,000 appointments, fetched through the API as a subscribing client does.
        var (render, notModified, feedBytes) = await FeedFetchesAsync(api, connectionString, appointmentCount);
        table.Add($"feed of {appointmentCount:N0} appointments, rendered (median of 7, each after a change)", $"{render:F1} ms", "100 ms", render / 100, 1.0,
            $"{feedBytes / 1024:N0} KiB of iCalendar");
        table.Add("feed unchanged: 304 to If-None-Match (median of 21)", $"{notModified:F2} ms", "5 ms", notModified / 5, 1.0,
            $"the version query over {appointmentCount:N0} appointments, no rendering");

        // 100 edits made on the server, pulled.
        await EditOnTheServerAsync(caldav, engineCalendar, 100);
        var pull = await PullTickAsync(engine, bindingId, httpRequests, () => Interlocked.Exchange(ref sqlCommands, 0));
        var vdirsyncerPull = vdirsyncer is null ? (double?)null : await vdirsyncer.SyncSecondsAsync();
        table.Add("pull 100 remote edits", $"{pull.Milliseconds:F0} ms", vdirsyncerPull is { } vp ? $"vdirsyncer {vp * 1000:F0} ms" : "vdirsyncer not installed",
            vdirsyncerPull is { } v2 ? pull.Milliseconds / 1000 / v2 : null, 0.5, pull.Detail);

        // Create → PUT answered on the server, through the API and the outbox hook.
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
        var p95 = Percentile(latencies, 0.95);
        table.Add("create-to-visible, p95 of 200", $"{p95:F1} ms", $"one PUT {onePutMs:F1} ms + 100 ms", p95 / (onePutMs + 100), 1.0,
            $"p50 {Percentile(latencies, 0.50):F1} ms, {visible - appointmentCount} of 200 visible");

        // The same while ticks keep running on the calendar the appointments go to: each hook meets a tick holding the
        // binding and hands its appointment over (the tick pushes it before it lets go) instead of failing and waiting
        // for an outbox retry.
        using (var ticking = new CancellationTokenSource())
        {
            const string FailedAttempts = "SELECT coalesce(sum(attempts), 0)::bigint FROM paliad.outbox_messages";
            var failedBefore = await CountAsync(connectionString, FailedAttempts);
            var ticks = 0;
            var ticker = Task.Run(async () =>
            {
                while (!ticking.IsCancellationRequested)
                {
                    await engine.SyncBindingNowAsync(bindingId, TimeSpan.FromSeconds(30), CancellationToken.None);
                    Interlocked.Increment(ref ticks);
                }
            });
            var during = new List<double>();
            for (var i = 0; i < 100; i++)
            {
                await Task.Delay(Random.Shared.Next(0, 60));
                watch.Restart();
                var begins = new DateTimeOffset(2029, 1, 3, 9, 0, 0, TimeSpan.Zero).AddDays(i);
                (await api.PostAsJsonAsync("/api/appointments", new { title = $"Filed during a tick {i}", startsAt = begins, endsAt = begins.AddHours(1), timeZone = "Europe/Berlin" }))
                    .EnsureSuccessStatusCode();
                await outbox.ProcessPendingAsync();
                during.Add(watch.Elapsed.TotalMilliseconds);
            }

            await ticking.CancelAsync();
            await ticker;
            during.Sort();
            var failedHooks = await CountAsync(connectionString, FailedAttempts) - failedBefore;
            var p95During = Percentile(during, 0.95);
            table.Add("create-to-visible while ticks run, p95 of 100", $"{p95During:F1} ms", $"one PUT {onePutMs:F1} ms + 100 ms", p95During / (onePutMs + 100), 1.0,
                $"p50 {Percentile(during, 0.50):F1} ms, {ticks} ticks meanwhile, {failedHooks} hook attempt(s) failed");
        }

        // Scale: the same at 10,000 appointments; a no-change tick and a pull cost what changed, not the calendar's size.
        var peakBeforeScaleMb = Memory("before the scale scenarios");
        if (scaleCount > 0)
        {
            var largeCalendar = $"{home}large-{Guid.NewGuid():N}/";
            await caldav.MakeCalendarAsync(largeCalendar, "engine, 10,000");
            using (var large = UserClient(host, signingKey, "large@firm.example"))
            {
                (await large.PutAsJsonAsync("/api/caldav-config", new { serverUrl = radicale.ToString(), username = "bench", password = "bench", calendarPath = largeCalendar }))
                    .EnsureSuccessStatusCode();
            }

            var largeBinding = await SeedAsync(host.Services, DevelopmentTokens.UserIdFor("large@firm.example"), largeCalendar, scaleCount);
            Memory($"{scaleCount:N0} appointments seeded");
            if (Environment.GetEnvironmentVariable("PALIAD_BENCH_SCALE_PUSH") == "1")
            {
                watch.Restart();
                var largePush = await engine.SyncBindingAsync(largeBinding, CancellationToken.None);
                var largeSeconds = watch.Elapsed.TotalSeconds;
                var extrapolated = bareSeconds * scaleCount / appointmentCount;
                table.Add($"initial push of {scaleCount:N0}", $"{largeSeconds:F1} s", $"bare PUT loop ×{scaleCount / appointmentCount} ≈ {extrapolated:F1} s",
                    largeSeconds / extrapolated, null, $"{largePush.Status}, pushed {largePush.Counts.Pushed}; Radicale's PUT grows with the collection");
            }
            else
            {
                // Radicale checks every PUT against the whole collection, so 10,000 PUTs take the better part of an hour
                // here whoever sends them: the calendar is written straight into Radicale's storage as the engine would
                // have pushed it, the copies are seeded, and one unmeasured full reconcile learns the server's ETags.
                watch.Restart();
                var adopted = await LargeCalendar.WriteAsync(host.Services, largeBinding, largeCalendar, radicaleStorage, caldav);
                Memory($"{adopted:N0} events written to Radicale's storage");
                var setUp = await engine.SyncBindingAsync(largeBinding, CancellationToken.None);
                Memory("the full reconcile of the large calendar");
                table.Add($"{scaleCount:N0} events in one calendar (set-up, not a contest)", $"{watch.Elapsed.TotalSeconds:F1} s", "—", null, null,
                    $"{adopted:N0} written to Radicale's storage, one full reconcile: {setUp.Status}, pulled {setUp.Counts.Pulled}; PALIAD_BENCH_SCALE_PUSH=1 pushes them instead");
            }

            var largeIdle = await NoChangeTickAsync(engine, largeBinding, connectionString, httpRequests, () => Interlocked.Exchange(ref sqlCommands, 0));
            table.Add($"no-change tick at {scaleCount:N0}", $"{largeIdle.Milliseconds:F0} ms", $"at {appointmentCount:N0}: {idle.Milliseconds:F0} ms",
                largeIdle.Milliseconds / idle.Milliseconds, 1.2, largeIdle.Detail);
            var ownMs = largeIdle.Milliseconds - largeIdle.ServerMs;
            var ownMsSmall = idle.Milliseconds - idle.ServerMs;
            table.Add($"no-change tick at {scaleCount:N0}, the engine's own time (tick − waiting on the server)", $"{ownMs:F0} ms", $"at {appointmentCount:N0}: {ownMsSmall:F0} ms",
                ownMs / Math.Max(1, ownMsSmall), 1.2, "what grows with the calendar on the server's side is the server's");
            table.Add($"rows read by a no-change tick at {scaleCount:N0}", $"{largeIdle.RowsRead:N0}", $"at {appointmentCount:N0}: {idle.RowsRead:N0}",
                (double)largeIdle.RowsRead / Math.Max(1, idle.RowsRead), 1.2, "rows of Paliad's tables read by scans and index fetches (pg_stat_user_tables)");
            // The phone's 100 edits land in Radicale's storage directly too (each PUT into this collection costs seconds).
            Memory($"the no-change ticks at {scaleCount:N0}");
            LargeCalendar.Edit(radicaleStorage, largeCalendar, 100);
            var largePull = await PullTickAsync(engine, largeBinding, httpRequests, () => Interlocked.Exchange(ref sqlCommands, 0));
            table.Add($"pull 100 remote edits at {scaleCount:N0}", $"{largePull.Milliseconds:F0} ms", $"at {appointmentCount:N0}: {pull.Milliseconds:F0} ms",
                largePull.Milliseconds / pull.Milliseconds, 1.2, largePull.Detail);
            var pullOwn = largePull.Milliseconds - largePull.ServerMs;
            var pullOwnSmall = pull.Milliseconds - pull.ServerMs;
            table.Add($"pull 100 remote edits at {scaleCount:N0}, the engine's own time (tick − waiting on the server)", $"{pullOwn:F0} ms",
                $"at {appointmentCount:N0}: {pullOwnSmall:F0} ms", pullOwn / Math.Max(1, pullOwnSmall), 1.2, "");
        }

        var peakMb = Memory("the scale scenarios");
        table.Add("peak working set (whole bench process so far)", $"{peakMb:F0} MB", "400 MB", peakMb / 400, 1.0,
            $"{peakBeforeScaleMb:F0} MB before the {scaleCount:N0}-appointment scenarios");

        // The fleet: many users' due no-change ticks in one round, two engine instances sharing the database.
        if (fleetUsers > 0)
        {
            await using var second = Host(connectionString, signingKey, httpRequests);
            var fleet = await Fleet.RunAsync(host.Services, caldav, home, radicale, DevelopmentTokens.UserIdFor("bench@firm.example"), fleetUsers, appointmentCount,
                () => [engine, second.Services.GetRequiredService<SyncEngine>()]);
            table.Add($"fleet round: {fleet.Bindings:N0} due no-change ticks, 2 instances", $"{fleet.RoundSeconds:F1} s", "60 s", fleet.RoundSeconds / 60, 1.0,
                $"{fleet.Users:N0} users, {fleet.Targets:N0} target rows (seeded in {fleet.SeedSeconds:F0} s); ticked {fleet.Ticked:N0}, twice {fleet.TickedTwice}, not ok {fleet.NotOk}");
        }

        table.Print();
        return 0;
    }

    private static WebApplicationFactory<global::Program> Host(string connectionString, string signingKey, RequestTally httpRequests)
        => new WebApplicationFactory<global::Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Paliad", connectionString);
            web.UseSetting("Auth:JwtSigningKey", signingKey);
            web.UseSetting("Sync:Enabled", "false");
            web.UseSetting("Api:WritesPerMinute", "1000000");
            web.UseSetting("Api:FeedFetchesPerHour", "100000000"); // the feed scenario fetches one feed 30 times in a row
            web.UseSetting("CalDav:AllowPrivateNetworks", "true");

            // The bench drives whole ticks through the hook entry point: give them room for a large first push.
            web.UseSetting("CalDav:HookTimeoutSeconds", "3600");
            web.UseSetting("Sync:TickTimeoutSeconds", "3600");
            web.UseSetting("Sync:LeaseSeconds", "4000");

            // Radicale parses every item of a 10,000-event collection it has not seen before on the first listing.
            web.UseSetting("CalDav:RequestTimeoutSeconds", "600");
            // The hosts' logs (the app's own levels: a line per tick and per hook) go to one file; without one, only
            // warnings reach the screen beside the table.
            web.ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                if (HostLog is null)
                {
                    logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
                }
                else
                {
                    logging.AddProvider(HostLog);
                }
            });
            web.ConfigureServices(services => services.AddHttpClient(CalDavHttp.ClientName).AddHttpMessageHandler(() => new CountingHandler(httpRequests)));
        });

    private static HttpClient UserClient(WebApplicationFactory<global::Program> host, string signingKey, string email)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DevelopmentTokens.Mint(
            new AuthOptions { JwtSigningKey = signingKey }, email, null, TimeSpan.FromHours(4), DateTimeOffset.UtcNow));
        return client;
    }

    /// <summary>A tick's figures; <paramref name="ServerMs"/> is the time its requests waited on the server, so
    /// <c>Milliseconds − ServerMs</c> is the engine's own share.</summary>
    private sealed record TickFigures(double Milliseconds, long RowsRead, string Detail, double ServerMs);

    /// <summary>A warm no-change tick timed, then another for the rows it reads.</summary>
    private static async Task<TickFigures> NoChangeTickAsync(
        SyncEngine engine, Guid bindingId, string connectionString, RequestTally httpRequests, Func<int> takeSqlCount)
    {
        await engine.SyncBindingAsync(bindingId, CancellationToken.None); // warm: the pool, the plan cache, the server's cache
        httpRequests.Reset();
        takeSqlCount();
        var watch = Stopwatch.StartNew();
        var idle = await engine.SyncBindingAsync(bindingId, CancellationToken.None);
        var ms = watch.Elapsed.TotalMilliseconds;
        var sql = takeSqlCount();
        var serverMs = httpRequests.ServerMilliseconds;
        var http = $"{httpRequests.Total} HTTP request(s) ({httpRequests.Describe()})";
        var (_, rows, byTable) = await RowsRead.MeasureAsync(connectionString, () => engine.SyncBindingAsync(bindingId, CancellationToken.None));
        return new TickFigures(ms, rows,
            $"{http}, {sql} SQL round trip(s), {idle.Counts.Pushed + idle.Counts.Updated} PUTs, {rows:N0} rows read ({byTable}); waiting on the server {serverMs:F0} ms", serverMs);
    }

    /// <summary>A feed of the bench user's appointments: a full fetch after a change (one appointment's version bumped
    /// straight in the database, not measured, so no rendered copy can be reused) and a 304 to the ETag; medians, warm.</summary>
    private static async Task<(double RenderMs, double NotModifiedMs, long Bytes)> FeedFetchesAsync(HttpClient api, string connectionString, int count)
    {
        var created = await api.PostAsJsonAsync("/api/calendar-feeds", new { displayName = "Bench feed", scope = "personal_only" });
        created.EnsureSuccessStatusCode();
        var url = new Uri(new Uri((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!).PathAndQuery, UriKind.Relative);
        var renders = new List<double>();
        long bytes = 0;
        System.Net.Http.Headers.EntityTagHeaderValue? etag = null;
        for (var i = 0; i < 8; i++)
        {
            await CountAsync(connectionString,
                "WITH bumped AS (UPDATE paliad.appointments SET version = version + 1 WHERE id = (SELECT id FROM paliad.appointments ORDER BY id LIMIT 1) RETURNING 1) SELECT count(*) FROM bumped");
            var watch = Stopwatch.StartNew();
            using var response = await api.GetAsync(url);
            var body = await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            if (i > 0)
            {
                renders.Add(watch.Elapsed.TotalMilliseconds);
            }

            bytes = body.Length;
            etag = response.Headers.ETag;
        }

        var notModified = new List<double>();
        for (var i = 0; i < 22; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.IfNoneMatch.Add(etag!);
            var watch = Stopwatch.StartNew();
            using var response = await api.SendAsync(request);
            if (response.StatusCode != System.Net.HttpStatusCode.NotModified)
            {
                throw new InvalidOperationException($"the unchanged feed answered {(int)response.StatusCode}, not 304");
            }

            if (i > 0)
            {
                notModified.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        renders.Sort();
        notModified.Sort();
        return (Percentile(renders, 0.50), Percentile(notModified, 0.50), bytes);
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>"Sync now" of one binding through the API, warm: the median of 7 requests, with what the last one cost.</summary>
    private static async Task<TickFigures> SyncNowAsync(HttpClient api, Guid bindingId, RequestTally httpRequests, Func<int> takeSqlCount)
    {
        (await api.PostAsync($"/api/caldav-sync?bindingId={bindingId}", null)).EnsureSuccessStatusCode(); // warm
        var times = new List<double>();
        double serverMs = 0;
        var sql = 0;
        for (var i = 0; i < 7; i++)
        {
            httpRequests.Reset();
            takeSqlCount();
            var watch = Stopwatch.StartNew();
            (await api.PostAsync($"/api/caldav-sync?bindingId={bindingId}", null)).EnsureSuccessStatusCode();
            times.Add(watch.Elapsed.TotalMilliseconds);
            serverMs = httpRequests.ServerMilliseconds;
            sql = takeSqlCount();
        }

        times.Sort();
        return new TickFigures(times[3], 0,
            $"{httpRequests.Total} HTTP request(s) to the server ({httpRequests.Describe()}), {sql} SQL round trip(s) for the whole request; waiting on the server {serverMs:F0} ms; "
            + $"fastest {times[0]:F0} ms, slowest {times[^1]:F0} ms", serverMs);
    }

    /// <summary>A tick that pulls the server's edits, timed with the time its requests waited on the server.</summary>
    private static async Task<TickFigures> PullTickAsync(SyncEngine engine, Guid bindingId, RequestTally httpRequests, Func<int> takeSqlCount)
    {
        httpRequests.Reset();
        takeSqlCount();
        var watch = Stopwatch.StartNew();
        var pull = await engine.SyncBindingAsync(bindingId, CancellationToken.None);
        var ms = watch.Elapsed.TotalMilliseconds;
        var serverMs = httpRequests.ServerMilliseconds;
        return new TickFigures(ms, 0,
            $"pulled {pull.Counts.Pulled}, {httpRequests.Total} HTTP request(s) ({httpRequests.Describe()}), {takeSqlCount()} SQL round trip(s); waiting on the server {serverMs:F0} ms",
            serverMs);
    }

    /// <summary>What a phone does: <paramref name="count"/> events' SUMMARY changed on the server.</summary>
    private static async Task EditOnTheServerAsync(CalDavClient caldav, string calendar, int count)
    {
        foreach (var href in (await caldav.ListEtagsAsync(calendar)).Keys.Take(count))
        {
            var current = await caldav.GetAsync(href);
            var edited = current!.ICalendar.Replace("SUMMARY:Hearing", "SUMMARY:Moved hearing", StringComparison.Ordinal);
            await caldav.UpdateAsync(href, edited, current.Etag!);
        }
    }

    /// <summary>Appointments for one user written straight to the database; returns the binding on the calendar.</summary>
    private static async Task<Guid> SeedAsync(IServiceProvider services, Guid ownerId, string calendar, int count)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var start = new DateTimeOffset(2027, 1, 4, 8, 0, 0, TimeSpan.Zero);

        // Written yesterday, as a calendar's appointments mostly are: a tick's push mark looks only at what changed since.
        var lastChanged = DateTimeOffset.UtcNow.AddDays(-1);
        for (var i = 0; i < count; i++)
        {
            var begins = start.AddHours(i * 5);
            db.Appointments.Add(Appointment.Create(ownerId, null,
                new AppointmentDetails($"Hearing {i}", "Bring the claim charts", "LG Düsseldorf", begins, begins.AddHours(1), false, "Europe/Berlin"), lastChanged));
            if ((i + 1) % 1000 == 0 || i == count - 1)
            {
                // In slices, so the bench's own set-up does not hold 10,000 tracked entities in the measured process.
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
            }
        }

        await db.OutboxMessages.ExecuteDeleteAsync();
        await db.Database.ExecuteSqlRawAsync("ANALYZE"); // as autovacuum would have by the time a calendar is this full
        return await db.CalendarBindings.Where(b => b.CalendarPath == calendar).Select(b => b.Id).SingleAsync();
    }

    /// <summary>Prints where the process's memory stands after a stage (stderr, beside the rows); returns the peak in MB.</summary>
    private static double Memory(string after)
    {
        using var process = Process.GetCurrentProcess();
        var peakMb = process.PeakWorkingSet64 / 1024.0 / 1024.0;
        Console.Error.WriteLine(
            $"[bench] memory after {after}: working set {process.WorkingSet64 / 1024.0 / 1024.0:F0} MB, peak {peakMb:F0} MB, managed heap {GC.GetTotalMemory(false) / 1024.0 / 1024.0:F0} MB");
        return peakMb;
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

/// <summary>Counts the CalDAV requests the engine sends, by method, and the time they waited on the server.</summary>
internal sealed class RequestTally
{
    private readonly Dictionary<string, int> _byMethod = [];
    private double _serverMilliseconds;

    /// <summary>Time from sending each request to its answer's headers, summed (Radicale answers when it has built the
    /// whole body). Requests sent concurrently overlap, so this is the server's share only of serial work.</summary>
    public double ServerMilliseconds
    {
        get
        {
            lock (_byMethod)
            {
                return _serverMilliseconds;
            }
        }
    }

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

    public void Add(string method, double serverMilliseconds)
    {
        lock (_byMethod)
        {
            _byMethod[method] = _byMethod.GetValueOrDefault(method) + 1;
            _serverMilliseconds += serverMilliseconds;
        }
    }

    public void Reset()
    {
        lock (_byMethod)
        {
            _byMethod.Clear();
            _serverMilliseconds = 0;
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
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            tally.Add(request.Method.Method, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}

/// <summary>The printed table: every figure with its baseline, the ratio to it, and the goal the ratio should meet.
/// With <c>PALIAD_BENCH_ROWS</c> set, each row is also appended there as a JSON line (for <see cref="Median"/>).</summary>
internal sealed class Table(bool echo = true)
{
    private readonly List<TableRow> _rows = [];
    private readonly string? _rowsFile = echo ? Environment.GetEnvironmentVariable("PALIAD_BENCH_ROWS") : null;

    public void Add(string scenario, string result, string baseline, double? ratio, double? goal, string detail)
        => Add(new TableRow(scenario, result, baseline, ratio, goal, detail));

    public void Add(TableRow row)
    {
        _rows.Add(row);
        if (echo)
        {
            // As it comes, too: a later scenario that fails leaves the earlier figures on screen (and in the file).
            Console.Error.WriteLine($"[bench] {string.Join(" | ", Cells(row))}");
            if (_rowsFile is not null)
            {
                File.AppendAllText(_rowsFile, System.Text.Json.JsonSerializer.Serialize(row) + Environment.NewLine);
            }
        }
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine("| scenario | result | baseline | ratio | goal | detail |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var row in _rows)
        {
            Console.WriteLine($"| {string.Join(" | ", Cells(row))} |");
        }
    }

    private static string[] Cells(TableRow row)
    {
        var verdict = row.Ratio is null || row.Goal is null ? "" : row.Ratio <= row.Goal ? " met" : " NOT met";
        return
        [
            row.Scenario, row.Result, row.Baseline,
            row.Ratio is { } r ? string.Create(CultureInfo.InvariantCulture, $"{r:F2}x") : "—",
            row.Goal is { } g ? string.Create(CultureInfo.InvariantCulture, $"≤ {g:0.##}x{verdict}") : "—",
            row.Detail,
        ];
    }
}
