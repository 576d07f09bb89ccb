using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav.Sync;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Sync;

/// <summary>
/// One user's server, broken or hostile, never stops, slows or exhausts sync for anyone else. Two engine instances
/// run their background workers (periodic ticks every second, short deadlines) while three hostile servers are
/// configured: one stalls after its headers, one never answers, one sends 2,000-character change markers and ETags.
/// </summary>
public sealed partial class IsolationTests(string server) : SyncTest(server)
{
    private static readonly Dictionary<string, string> WorkerSettings = new()
    {
        ["Sync:Enabled"] = "true",
        ["Sync:TickSeconds"] = "1",
        ["Sync:TickTimeoutSeconds"] = "6",
        ["Sync:MaxConcurrentBindings"] = "4",
        ["CalDav:RequestTimeoutSeconds"] = "2",
        ["CalDav:MaxRetries"] = "1",
        ["CalDav:HookTimeoutSeconds"] = "6",
        ["Outbox:PollSeconds"] = "0.5",
    };

    private readonly List<FaultProxy> _hostile = [];
    private readonly List<PaliadApiFactory> _instances = [];

    [TearDown]
    public async Task StopAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        foreach (var proxy in _hostile)
        {
            await proxy.DisposeAsync();
        }

        _instances.Clear();
        _hostile.Clear();
    }

    private async Task<string> ConfigureHostileAsync(string email, Fault fault)
    {
        var proxy = await FaultProxy.StartAsync(CalDavServers.Url(Server));
        _hostile.Add(proxy);
        var calendar = await NewCalendarAsync("hostile");
        await CreateAppointmentAsync(As(email), $"Hearing of {email}");
        proxy.Inject(fault);
        await ExpectAsync(PutAsync(As(email), "/api/caldav-config", new
        {
            serverUrl = proxy.Url.ToString(), username = CalDavServers.Username, password = CalDavServers.Password, calendarPath = calendar, syncIntervalMinutes = 1,
        }), HttpStatusCode.OK);
        return calendar;
    }

    [Test]
    public async Task A_healthy_binding_keeps_its_schedule_while_three_hostile_servers_are_configured()
    {
        var healthyCalendar = await NewCalendarAsync("healthy");
        await CreateAppointmentAsync(As("alice@firm.example"), "Alice's hearing");
        await ExpectAsync(PutAsync(As("alice@firm.example"), "/api/caldav-config", new
        {
            serverUrl = Proxy.Url.ToString(), username = CalDavServers.Username, password = CalDavServers.Password, calendarPath = healthyCalendar, syncIntervalMinutes = 1,
        }), HttpStatusCode.OK);
        var healthy = await BindingOnAsync(healthyCalendar);
        var longValue = new string('9', 2000);
        var stalled = await ConfigureHostileAsync("stall@evil.example", new Fault.StallAfterHeaders(null) { Always = true });
        var blackholed = await ConfigureHostileAsync("blackhole@evil.example", new Fault.Blackhole(null) { Always = true });
        var longMarkers = await ConfigureHostileAsync("markers@evil.example", new Fault.Rewrite("PROPFIND", body =>
            Marker().Replace(body, m => m.Groups[1].Value + longValue + m.Groups[3].Value)) { Always = true });

        for (var i = 0; i < 2; i++)
        {
            _instances.Add(new PaliadApiFactory(TestDatabase.ConnectionString, WorkerSettings));
            _ = _instances[i].Server;
        }

        // Four rounds: every binding, hostile ones included, is made due again (their backoff forgotten too), so the
        // hostile servers hold slots all the time; the healthy binding must still get its tick every round.
        for (var round = 1; round <= 4; round++)
        {
            var ticksBefore = await OkTicksAsync(healthy);
            await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '5 minutes', next_attempt_at = NULL");

            var ticked = await EventuallyAsync(async () => await OkTicksAsync(healthy) > ticksBefore, TimeSpan.FromSeconds(20));

            Assert.That(ticked, Is.True, $"round {round}: the healthy binding got no tick while hostile servers were configured");
        }

        Assert.That(await TitlesAsync(healthyCalendar), Is.EqualTo(new[] { "Alice's hearing" }));
        foreach (var hostile in new[] { stalled, blackholed })
        {
            // Each hostile tick ends within its own deadline, as an error on its own binding.
            var binding = await BindingOnAsync(hostile);
            var failed = await EventuallyAsync(
                async () => await ScalarAsync<string>("SELECT sync_status FROM paliad.calendar_bindings WHERE id = @id", ("id", binding)) == "error",
                TimeSpan.FromSeconds(20));
            Assert.That(failed, Is.True, $"{hostile}: no error recorded");
            Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_sync_log WHERE binding_id = @id AND status <> 'ok'", ("id", binding)),
                Is.GreaterThan(0), "a hostile server's failures are on its own record");
        }

        var markers = await BindingOnAsync(longMarkers);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_sync_log WHERE binding_id = @id", ("id", markers)), Is.GreaterThan(0));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings WHERE length(ctag) > 1024 OR length(sync_token) > 1024"), Is.Zero);
    }

    [Test]
    public async Task A_failing_binding_backs_off_and_a_success_resets_it()
    {
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(As("alice@firm.example"), "Hearing");
        await ConfigureAsync("alice@firm.example", calendar);
        var binding = await BindingOnAsync(calendar);
        Proxy.Down = true;

        var failed = (await Engine.RunTickAsync()).Single();
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day'");
        var whileBackingOff = await Engine.RunTickAsync();

        Assert.That(failed.Status, Is.EqualTo(SyncRunStatus.Error));
        Assert.That(whileBackingOff, Is.Empty, "a failing binding is not claimed again before its backoff ends");
        Assert.That(await ScalarAsync<int>("SELECT consecutive_failures FROM paliad.calendar_bindings WHERE id = @id", ("id", binding)), Is.EqualTo(1));
        Assert.That(await ScalarAsync<double>("SELECT extract(epoch FROM next_attempt_at - now())::float8 FROM paliad.calendar_bindings WHERE id = @id", ("id", binding)),
            Is.InRange(50, 61));

        Proxy.Down = false;
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET next_attempt_at = now() - interval '1 second'");
        var recovered = (await Engine.RunTickAsync()).Single();

        Assert.That(recovered.Status, Is.EqualTo(SyncRunStatus.Ok), recovered.Error);
        Assert.That(await ScalarAsync<int>("SELECT consecutive_failures FROM paliad.calendar_bindings WHERE id = @id", ("id", binding)), Is.Zero);
        Assert.That(await ScalarAsync<object>("SELECT next_attempt_at FROM paliad.calendar_bindings WHERE id = @id", ("id", binding)), Is.Null);
    }

    [Test]
    public async Task One_users_many_bindings_cannot_take_every_slot()
    {
        var hog = As("hog@firm.example");
        await CreateAppointmentAsync(hog, "Hog's hearing");
        await ConfigureAsync("hog@firm.example");
        for (var i = 0; i < 6; i++)
        {
            await CreateBindingAsync(hog, await NewCalendarAsync($"hog{i}"), "all_visible");
        }

        var calendar = await NewCalendarAsync("alice");
        await CreateAppointmentAsync(As("alice@firm.example"), "Alice's hearing");
        await ConfigureAsync("alice@firm.example", calendar);
        var alice = await BindingOnAsync(calendar);
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET lease_owner = 'elsewhere', lease_expires_at = now() + interval '1 minute' WHERE id IN (SELECT id FROM paliad.calendar_bindings WHERE user_id = @u ORDER BY id LIMIT 2)",
            ("u", UserIdOf("hog@firm.example")));

        // The hog already holds two leases (Sync:MaxConcurrentBindingsPerUser): only Alice's binding may be claimed.
        var results = await Engine.RunTickAsync();

        Assert.That(results.Select(r => r.BindingId), Is.EqualTo(new[] { alice }));
    }

    [Test]
    public async Task A_tick_that_hits_its_deadline_ends_partial_keeps_its_progress_and_the_next_tick_finishes_without_duplicates()
    {
        var alice = As("alice@firm.example");
        var calendar = await NewCalendarAsync("court");
        for (var i = 0; i < 6; i++)
        {
            await CreateAppointmentAsync(alice, $"Hearing {i}", startsAt: new DateTimeOffset(2026, 12, 1 + i, 9, 0, 0, TimeSpan.Zero));
        }

        await ConfigureAsync("alice@firm.example", calendar);
        await using var slow = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
        {
            ["Sync:TickTimeoutSeconds"] = "3",
            ["CalDav:RequestTimeoutSeconds"] = "10",
        });
        var engine = slow.Services.GetRequiredService<SyncEngine>();
        var filled = (await engine.RunTickAsync()).Single();
        Assert.That(filled.Status, Is.EqualTo(SyncRunStatus.Ok), filled.Error);
        await ExecuteAsync("UPDATE paliad.appointments SET title = title || ' (moved)', version = version + 1");
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day'");
        Proxy.Inject(new Fault.SlowDrip("PUT", TimeSpan.FromMilliseconds(200)) { After = 2 });

        var cut = (await engine.RunTickAsync()).Single();

        Assert.That(cut.Status, Is.EqualTo(SyncRunStatus.Partial), cut.Error);
        Assert.That(cut.Error, Does.Contain("deadline"));
        Assert.That(cut.Counts.Updated, Is.InRange(2, 5), "the updates that finished before the deadline are kept (the stalled one is not)");
        Assert.That(await ScalarAsync<string>("SELECT status FROM paliad.caldav_sync_log ORDER BY started_at DESC LIMIT 1"), Is.EqualTo("partial"));
        Assert.That(await ScalarAsync<string>("SELECT sync_status FROM paliad.calendar_bindings"), Is.EqualTo("pending"), "progress made: due again at once");

        Proxy.ClearFaults();
        var next = (await Engine.RunTickAsync()).Single();

        Assert.That(next.Status, Is.EqualTo(SyncRunStatus.Ok), next.Error);
        Assert.That(next.Counts.Updated, Is.EqualTo(6 - cut.Counts.Updated), "the next tick does exactly what was left");
        Assert.That(await TitlesAsync(calendar), Has.Count.EqualTo(6).And.All.EndsWith("(moved)"), "every appointment once, as it is now (EventsAsync refuses duplicate UIDs)");
    }

    [Test]
    public async Task A_tick_that_makes_no_progress_before_its_deadline_backs_off()
    {
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(As("alice@firm.example"), "Hearing");
        await ConfigureAsync("alice@firm.example", calendar);
        await using var slow = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
        {
            ["Sync:TickTimeoutSeconds"] = "2",
            ["CalDav:RequestTimeoutSeconds"] = "10",
        });
        Proxy.Inject(new Fault.Blackhole(null) { Always = true });

        var cut = (await slow.Services.GetRequiredService<SyncEngine>().RunTickAsync()).Single();

        Assert.That(cut.Status, Is.EqualTo(SyncRunStatus.Partial));
        Assert.That(await ScalarAsync<string>("SELECT sync_status FROM paliad.calendar_bindings"), Is.EqualTo("error"));
        Assert.That(await ScalarAsync<int>("SELECT consecutive_failures FROM paliad.calendar_bindings"), Is.EqualTo(1));
    }

    private static async Task<long> OkTicksAsync(Guid binding)
        => await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_sync_log WHERE binding_id = @id AND status = 'ok'", ("id", binding));

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200);
        }

        return await condition();
    }

    [GeneratedRegex("(<[^>]*(?:getctag|sync-token|getetag)[^>]*>)([^<]*)(</)")]
    private static partial Regex Marker();
}
