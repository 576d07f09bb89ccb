using System.Net;

namespace Paliad.IntegrationTests.Sync;

/// <summary>The outbox: written with the change, retried with backoff, dead after too many attempts, and harmless
/// when an event is handled twice.</summary>
public sealed class OutboxTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task A_change_writes_its_event_to_the_outbox_in_the_same_transaction()
    {
        var id = await CreateAppointmentAsync(As(Alice), "Hearing");

        var payload = await ScalarAsync<string>("SELECT payload::text FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'");

        Assert.That(payload, Does.Contain(id.ToString()));
    }

    [Test]
    public async Task A_failing_hook_is_retried_with_backoff_and_dies_after_the_last_attempt()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();
        Proxy.Down = true;
        await CreateAppointmentAsync(As(Alice), "Hearing");

        await DrainAsync();
        var afterFirst = await ScalarAsync<bool>(
            "SELECT attempts = 1 AND next_attempt_at > now() AND last_error IS NOT NULL AND processed_at IS NULL AND dead_at IS NULL FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'");
        for (var i = 0; i < 5; i++)
        {
            await ExecuteAsync("UPDATE paliad.outbox_messages SET next_attempt_at = now() WHERE processed_at IS NULL AND dead_at IS NULL");
            await DrainAsync();
        }

        Assert.That(afterFirst, Is.True);
        Assert.That(await ScalarAsync<int>("SELECT attempts FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'"), Is.EqualTo(4));
        Assert.That(await ScalarAsync<bool>("SELECT dead_at IS NOT NULL FROM paliad.outbox_messages WHERE type = 'AppointmentCreated'"), Is.True);

        // The periodic tick is the safety net: the event still gets there.
        Proxy.Down = false;
        await Engine.RunTickAsync();
        await ExpectAsync(As(Alice).PostAsync(new Uri("/api/caldav-sync", UriKind.Relative), null), HttpStatusCode.OK);
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Hearing" }));
    }

    [Test]
    public async Task An_event_handled_twice_changes_nothing_the_second_time()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice, calendar);
        await CreateAppointmentAsync(As(Alice), "Hearing");
        await DrainAsync();
        var before = await Phone.ListEtagsAsync(calendar);

        Proxy.ResetRequests();
        await ExecuteAsync("UPDATE paliad.outbox_messages SET processed_at = NULL WHERE type = 'AppointmentCreated'");
        await DrainAsync();

        Assert.That(Proxy.Count("PUT"), Is.Zero);
        Assert.That(await Phone.ListEtagsAsync(calendar), Is.EqualTo(before));
    }
}
