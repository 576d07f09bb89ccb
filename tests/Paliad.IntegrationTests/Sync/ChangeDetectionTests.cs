using System.Net;

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
        Assert.That((await Engine.RunTickAsync()).Single().Pushed, Is.EqualTo(1));
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

        Assert.That(tick.Pushed + tick.Updated, Is.Zero);
        Assert.That(Proxy.Count("PUT"), Is.Zero);
    }

    [Test]
    public async Task A_new_version_is_pushed_and_the_copy_learns_it()
    {
        var (hearing, calendar) = await SyncedAsync();

        await ExpectAsync(PatchAsync(As(Alice), $"/api/appointments/{hearing}", new { title = "Hearing (moved)" }), HttpStatusCode.OK);
        var tick = (await Engine.RunTickAsync()).Single();

        Assert.That(tick.Updated, Is.EqualTo(1));
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
        Assert.That(tick.Status, Is.EqualTo("ok"));
        Assert.That(await ScalarAsync<bool>("SELECT t.synced_version = a.version FROM paliad.appointment_targets t JOIN paliad.appointments a ON a.id = t.appointment_id"), Is.True);
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

        Assert.That(tick.Status, Is.EqualTo("error"));
        Assert.That(tick.Error, Does.Contain("500"));
        Assert.That(Proxy.Count("PUT"), Is.LessThan(30 * 4), "the push stopped after a few failures instead of trying every event");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets"), Is.Zero);
    }
}
