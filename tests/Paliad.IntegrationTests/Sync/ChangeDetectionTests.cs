using System.Net;
using Paliad.Application.CalDav.Sync;

namespace Paliad.IntegrationTests.Sync;

/// <summary>A tick finds what to push in SQL, by version: an appointment whose copy matches its version is not
/// even looked at; a new version, a missing copy or an unknown version is.</summary>
public sealed class ChangeDetectionTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    private async Task<(Guid Hearing, string Calendar)> SyncedAsync()
    {
        var calendar = await NewCalendarAsync("court");
        var hearing = await CreateAppointmentAsync(As(Alice), "Hearing");
        await ConfigureAsync(Alice, calendar);
        Assert.That((await Engine.RunTickAsync()).Single().Counts.Pushed, Is.EqualTo(1));
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day'");
        return (hearing, calendar);
    }

    [Test]
    public async Task A_copy_that_matches_its_appointments_version_is_not_looked_at()
    {
        await SyncedAsync();

        // Were the tick to compare content hashes of every appointment, this garbage hash would make it push.
        await ExecuteAsync("UPDATE paliad.appointment_targets SET content_hash = 'not-the-hash'");
        Proxy.ResetRequests();
        var tick = (await Engine.RunTickAsync()).Single();

        Assert.That(tick.Counts.Pushed + tick.Counts.Updated, Is.Zero);
        Assert.That(Proxy.Count("PUT"), Is.Zero);
    }

    [Test]
    public async Task A_new_version_is_pushed_and_the_copy_learns_it()
    {
        var (hearing, calendar) = await SyncedAsync();

        await ExpectAsync(PatchAsync(As(Alice), $"/api/appointments/{hearing}", new { title = "Hearing (moved)" }), HttpStatusCode.OK);
        var tick = (await Engine.RunTickAsync()).Single();

        Assert.That(tick.Counts.Updated, Is.EqualTo(1));
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Hearing (moved)" }));
        Assert.That(await ScalarAsync<bool>("SELECT t.synced_version = a.version FROM paliad.appointment_targets t JOIN paliad.appointments a ON a.id = t.appointment_id"), Is.True);
    }

    [Test]
    public async Task A_copy_of_unknown_version_is_checked_by_content_and_then_remembered()
    {
        await SyncedAsync();
        await ExecuteAsync("UPDATE paliad.appointment_targets SET synced_version = NULL");

        Proxy.ResetRequests();
        var tick = (await Engine.RunTickAsync()).Single();

        Assert.That(Proxy.Count("PUT"), Is.Zero, "same content: no write");
        Assert.That(tick.Status, Is.EqualTo(SyncRunStatus.Ok));
        Assert.That(await ScalarAsync<bool>("SELECT t.synced_version = a.version FROM paliad.appointment_targets t JOIN paliad.appointments a ON a.id = t.appointment_id"), Is.True);
    }

    [Test]
    public async Task A_tick_looks_only_at_appointments_changed_since_its_push_mark_and_a_full_reconcile_at_all()
    {
        await SyncedAsync();
        Assert.That(await ScalarAsync<bool>("SELECT pushed_through IS NOT NULL FROM paliad.calendar_bindings"), Is.True, "a tick that pushed everything sets the mark");

        // A copy that would need a write (unknown version, other content) of an appointment last changed long ago.
        await ExecuteAsync("UPDATE paliad.appointment_targets SET synced_version = NULL, content_hash = 'not-the-hash'");
        await ExecuteAsync("UPDATE paliad.appointments SET updated_at = now() - interval '1 day'");
        Proxy.ResetRequests();
        var incremental = (await Engine.RunTickAsync()).Single();
        Assert.That(Proxy.Count("PUT"), Is.Zero, "unchanged since the mark: not looked at");
        Assert.That(incremental.Status, Is.EqualTo(SyncRunStatus.Ok));

        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day', ticks_since_full_reconcile = 1000");
        var full = (await Engine.RunTickAsync()).Single();
        Assert.That(full.Counts.Updated, Is.EqualTo(1), "the full reconciliation reads everything");
        Assert.That(Proxy.Count("PUT"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_tick_with_a_problem_keeps_its_push_mark_so_the_failed_appointment_is_looked_at_again()
    {
        var (hearing, calendar) = await SyncedAsync();
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET pushed_through = now() - interval '10 minutes'");
        await ExpectAsync(PatchAsync(As(Alice), $"/api/appointments/{hearing}", new { title = "Hearing (moved)" }), HttpStatusCode.OK);
        await ExecuteAsync("DELETE FROM paliad.outbox_messages");
        Proxy.Inject(new CalDav.Fault.Status("PUT", 403));

        var failed = (await Engine.RunTickAsync()).Single();
        Assert.That(failed.Status, Is.EqualTo(SyncRunStatus.Partial));
        Assert.That(await ScalarAsync<bool>("SELECT pushed_through < now() - interval '9 minutes' FROM paliad.calendar_bindings"), Is.True, "mark kept");

        // Much later (beyond the mark's margin), the appointment is still found and pushed.
        await ExecuteAsync("UPDATE paliad.appointments SET updated_at = updated_at - interval '8 minutes'");
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day'");
        var retried = (await Engine.RunTickAsync()).Single();
        Assert.That(retried.Counts.Updated, Is.EqualTo(1));
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Hearing (moved)" }));
    }

    [Test]
    public async Task Sharing_a_project_brings_its_unchanged_appointments_into_calendars_that_had_a_push_mark()
    {
        const string bob = "bob@firm.example";
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(As(Alice), "Personal");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        Assert.That(await ScalarAsync<bool>("SELECT pushed_through IS NOT NULL FROM paliad.calendar_bindings"), Is.True);

        var acme = await CreateProjectAsync(As(bob), "Acme GmbH", "client");
        await CreateAppointmentAsync(As(bob), "Acme hearing", acme);
        await DrainAsync();
        await ExecuteAsync("UPDATE paliad.appointments SET updated_at = now() - interval '1 day'");

        await ShareAsync(As(bob), acme, Alice, "viewer");
        await DrainAsync();

        Assert.That(await TitlesAsync(calendar), Is.EquivalentTo(new[] { "Personal", "Acme hearing" }));
    }

    [Test]
    public async Task An_appointment_that_left_the_scope_while_its_hook_was_lost_leaves_the_calendar_at_the_full_reconcile()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("acme");
        var acme = await CreateProjectAsync(alice, "Acme GmbH", "client");
        var hearing = await CreateAppointmentAsync(alice, "Acme hearing", acme);
        await ConfigureAsync(Alice, await NewCalendarAsync("master"));
        await CreateBindingAsync(alice, calendar, "project", acme);
        await DrainAsync();
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Acme hearing" }));

        await ExpectAsync(PatchAsync(alice, $"/api/appointments/{hearing}", new { projectId = (Guid?)null }), HttpStatusCode.OK);
        await ExecuteAsync("DELETE FROM paliad.outbox_messages"); // the hook that would have removed it is lost
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day', ticks_since_full_reconcile = 1000 WHERE calendar_path = @p", ("p", calendar));
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() WHERE calendar_path <> @p", ("p", calendar));

        var full = (await Engine.RunTickAsync()).Single();

        Assert.That(full.Counts.Deleted, Is.EqualTo(1));
        Assert.That(await TitlesAsync(calendar), Is.Empty);
    }

    [Test]
    public async Task A_full_scan_asked_for_during_a_tick_is_not_lost_when_the_tick_records_its_mark()
    {
        await SyncedAsync();

        // A project is shared with Alice while her tick is between loading the binding and recording it (the PROPFIND).
        Proxy.Inject(new CalDav.Fault.Rewrite("PROPFIND", body =>
        {
            ExecuteAsync("UPDATE paliad.calendar_bindings SET pushed_through = NULL, full_scans_requested = full_scans_requested + 1").GetAwaiter().GetResult();
            return body;
        }));
        Assert.That((await Engine.RunTickAsync()).Single().Status, Is.EqualTo(SyncRunStatus.Ok));

        Assert.That(await ScalarAsync<bool>("SELECT pushed_through IS NULL FROM paliad.calendar_bindings"), Is.True);
    }

    [Test]
    public async Task A_server_that_answers_every_write_with_500_ends_the_push_early_as_an_error()
    {
        var calendar = await NewCalendarAsync("court");
        for (var i = 0; i < 30; i++)
        {
            await CreateAppointmentAsync(As(Alice), $"Hearing {i}", startsAt: new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero).AddHours(i * 5));
        }

        await ConfigureAsync(Alice, calendar);
        Proxy.Inject(new CalDav.Fault.Status("PUT", 500) { Always = true });

        var tick = (await Engine.RunTickAsync()).Single();

        Assert.That(tick.Status, Is.EqualTo(SyncRunStatus.Error));
        Assert.That(tick.ErrorDetail, Does.Contain("500"));
        Assert.That(Proxy.Count("PUT"), Is.LessThan(30 * 4), "the push stopped after a few failures instead of trying every event");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets"), Is.Zero);
    }
}
