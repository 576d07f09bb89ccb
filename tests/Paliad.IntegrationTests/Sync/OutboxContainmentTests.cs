using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Infrastructure.Persistence.Outbox;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Sync;

/// <summary>The outbox under a hostile or broken server: handlers end at their deadline, one user's slow server
/// holds one lane and not the others', and a removal the account refuses waits for the account to be fixed instead
/// of being retried hot forever.</summary>
public sealed class OutboxContainmentTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_removal_refused_with_401_is_parked_until_the_account_changes_then_done()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        var appointment = await CreateAppointmentAsync(As(Alice), "Hearing");
        await DrainAsync();
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Hearing" }));
        Proxy.Inject(new Fault.Status("DELETE", 401) { Always = true });

        await ExpectAsync(As(Alice).DeleteAsync(new Uri($"/api/appointments/{appointment}", UriKind.Relative)), HttpStatusCode.NoContent);
        await DrainAsync();
        await ExecuteAsync("UPDATE paliad.outbox_messages SET next_attempt_at = now() - interval '1 hour' WHERE type = 'AppointmentDeleted'");
        await DrainAsync();

        Assert.That(await ScalarAsync<bool>(
            "SELECT parked_at IS NOT NULL AND parked_for_user_id = @u AND processed_at IS NULL AND dead_at IS NULL AND attempts = 1 FROM paliad.outbox_messages WHERE type = 'AppointmentDeleted'",
            ("u", UserIdOf(Alice))), Is.True, "parked after one attempt, not retried while parked");
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Hearing" }));

        // The user fixes the account (a new password): the parked removal runs again and succeeds.
        Proxy.ClearFaults();
        await ExpectAsync(PutAsync(As(Alice), "/api/caldav-config", new
        {
            serverUrl = Proxy.Url.ToString(), username = CalDavServers.Username, password = CalDavServers.Password,
        }), HttpStatusCode.OK);
        await DrainAsync();

        Assert.That(await TitlesAsync(calendar), Is.Empty);
        Assert.That(await ScalarAsync<bool>("SELECT processed_at IS NOT NULL AND parked_at IS NULL FROM paliad.outbox_messages WHERE type = 'AppointmentDeleted'"), Is.True);
    }

    [Test]
    public async Task A_removal_that_fails_for_other_reasons_is_retried_not_parked()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        var appointment = await CreateAppointmentAsync(As(Alice), "Hearing");
        await DrainAsync();
        Proxy.Down = true;

        await ExpectAsync(As(Alice).DeleteAsync(new Uri($"/api/appointments/{appointment}", UriKind.Relative)), HttpStatusCode.NoContent);
        await DrainAsync();

        Assert.That(await ScalarAsync<bool>(
            "SELECT parked_at IS NULL AND attempts = 1 AND next_attempt_at > now() FROM paliad.outbox_messages WHERE type = 'AppointmentDeleted'"), Is.True);
    }

    [Test]
    public async Task One_users_stalled_server_holds_its_own_lane_while_another_users_hook_runs()
    {
        var bobCalendar = await NewCalendarAsync("bob");
        await using var stalled = await FaultProxy.StartAsync(CalDavServers.Url(Server));
        await ExpectAsync(PutAsync(As("bob@firm.example"), "/api/caldav-config", new
        {
            serverUrl = stalled.Url.ToString(), username = CalDavServers.Username, password = CalDavServers.Password, calendarPath = bobCalendar,
        }), HttpStatusCode.OK);
        var aliceCalendar = await NewCalendarAsync("alice");
        await ConfigureAsync(Alice, aliceCalendar);
        await DrainAsync();
        stalled.Inject(new Fault.Blackhole(null) { Always = true });
        await CreateAppointmentAsync(As("bob@firm.example"), "Bob's hearing");
        await CreateAppointmentAsync(As(Alice), "Alice's hearing");
        await using var instance = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
        {
            ["CalDav:HookTimeoutSeconds"] = "8",
            ["Outbox:MaxConcurrentHandlers"] = "2",
        });

        var processing = instance.Services.GetRequiredService<OutboxProcessor>().ProcessPendingAsync();
        var aliceFirst = false;
        for (var i = 0; i < 60 && !processing.IsCompleted; i++)
        {
            if ((await Phone.ListEtagsAsync(aliceCalendar)).Count == 1)
            {
                aliceFirst = !processing.IsCompleted;
                break;
            }

            await Task.Delay(100);
        }

        // New work keeps being claimed while Bob's lane is stuck: Alice's next appointment gets through too.
        await CreateAppointmentAsync(As(Alice), "Alice's second hearing");
        var secondToo = false;
        for (var i = 0; i < 60 && !processing.IsCompleted; i++)
        {
            if ((await Phone.ListEtagsAsync(aliceCalendar)).Count == 2)
            {
                secondToo = !processing.IsCompleted;
                break;
            }

            await Task.Delay(100);
        }

        await processing;
        Assert.That(aliceFirst, Is.True, "Alice's event arrived while Bob's hook was still stuck on his server");
        Assert.That(secondToo, Is.True, "a message created while Bob's lane was stuck was claimed and handled meanwhile");
        Assert.That(await ScalarAsync<string>(
            "SELECT last_error FROM paliad.outbox_messages WHERE type = 'AppointmentCreated' AND payload->>'ownerId' = @u", ("u", UserIdOf("bob@firm.example").ToString())),
            Is.Not.Null);
    }

    [Test]
    public async Task A_handler_that_outlives_its_deadline_is_a_failed_attempt()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        Proxy.Inject(new Fault.Blackhole(null) { Always = true });
        await CreateAppointmentAsync(As(Alice), "Hearing");
        await using var instance = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
        {
            ["Outbox:HandlerTimeoutSeconds"] = "1",
            ["CalDav:HookTimeoutSeconds"] = "60",
        });

        await instance.Services.GetRequiredService<OutboxProcessor>().ProcessPendingAsync();

        Assert.That(await ScalarAsync<string>("SELECT last_error FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'"), Does.Contain("within 1 s"));
        Assert.That(await ScalarAsync<int>("SELECT attempts FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_burst_of_membership_changes_becomes_one_tick_per_binding()
    {
        var alice = As(Alice);
        var projects = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var project = await CreateProjectAsync(alice, $"Client {i}", "client");
            await CreateAppointmentAsync(alice, $"Hearing {i}", project);
            projects.Add(project);
        }

        var bobsCalendar = await NewCalendarAsync("bob");
        await ConfigureAsync("bob@firm.example", bobsCalendar);
        var bobsBinding = await BindingOnAsync(bobsCalendar);
        await DrainAsync();
        var ticksBefore = await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_sync_log WHERE binding_id = @b", ("b", bobsBinding));

        foreach (var project in projects)
        {
            await ShareAsync(alice, project, "bob@firm.example", "viewer");
        }

        await DrainAsync();

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_sync_log WHERE binding_id = @b", ("b", bobsBinding)) - ticksBefore,
            Is.EqualTo(1), "five shares, one tick");
        Assert.That(await TitlesAsync(bobsCalendar), Has.Count.EqualTo(5));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE type = 'ProjectMemberAdded' AND processed_at IS NULL"), Is.Zero);
    }

    [Test]
    public async Task A_membership_resync_that_runs_out_of_time_leaves_the_rest_to_the_scheduler()
    {
        var alice = As(Alice);
        var acme = await CreateProjectAsync(alice, "Acme", "client");
        await CreateAppointmentAsync(alice, "Acme hearing", acme);
        var first = await NewCalendarAsync("bob1");
        await ConfigureAsync("bob@firm.example", first);
        var bob = As("bob@firm.example");
        await CreateBindingAsync(bob, await NewCalendarAsync("bob2"), "all_visible");
        await CreateBindingAsync(bob, await NewCalendarAsync("bob3"), "all_visible");
        await DrainAsync();
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET sync_status = 'ok'");
        Proxy.Inject(new Fault.Blackhole(null) { Always = true });
        await using var instance = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
        {
            ["CalDav:HookTimeoutSeconds"] = "2",
        });

        await ShareAsync(alice, acme, "bob@firm.example", "viewer");
        await instance.Services.GetRequiredService<OutboxProcessor>().ProcessPendingAsync();

        // The first binding used up the hook's time on the stuck server (and backs off); the other two are handed
        // to the periodic scheduler, so the hook itself is done rather than failing for good.
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings WHERE sync_status = 'pending'"), Is.EqualTo(2));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings WHERE sync_status = 'error' AND consecutive_failures = 1"), Is.EqualTo(1));
        Assert.That(await ScalarAsync<bool>("SELECT processed_at IS NOT NULL FROM paliad.outbox_messages WHERE type = 'ProjectMemberAdded'"), Is.True);
    }
}
