using Paliad.IntegrationTests.CalDav;

namespace Paliad.IntegrationTests.Sync;

/// <summary>Two workers meeting on one binding is normal, not a failure: a hook that finds a tick holding its binding
/// hands its work to that tick or waits for it — no failed attempt, no outbox retry, nothing lost or doubled.</summary>
public sealed class ContentionTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    /// <summary>A tick on Alice's only binding that holds it (its pull waits at the server) while the test acts.</summary>
    private async Task<Task<IReadOnlyList<Paliad.Application.CalDav.Sync.BindingSyncResult>>> TickHoldingTheBindingAsync(string calendar)
    {
        await ConfigureAsync(Alice, calendar);
        await DrainAsync(); // the binding's first fill (its lane may take more than one round)
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day'");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings WHERE lease_owner IS NOT NULL"), Is.Zero,
            "no run holds the binding before the tick");
        Proxy.Inject(new Fault.Delay("PROPFIND", TimeSpan.FromSeconds(1.5)));
        var tick = Engine.RunTickAsync();
        var held = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await ScalarAsync<long>("SELECT count(*) FROM paliad.calendar_bindings WHERE lease_owner IS NOT NULL") == 0 && DateTime.UtcNow < held)
        {
            await Task.Delay(20);
        }

        Assert.That(tick.IsCompleted, Is.False, "the tick holds the binding");
        return tick;
    }

    [Test]
    public async Task An_appointment_created_while_a_tick_runs_is_handed_to_that_tick_and_its_hook_succeeds_at_once()
    {
        var calendar = await NewCalendarAsync("court");
        var tick = await TickHoldingTheBindingAsync(calendar);

        await CreateAppointmentAsync(As(Alice), "Filed during a tick");
        await Outbox.ProcessPendingAsync();
        var result = (await tick).Single();

        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Filed during a tick" }));
        Assert.That(result.Status, Is.EqualTo(Paliad.Application.CalDav.Sync.SyncRunStatus.Ok));
        Assert.That(await ScalarAsync<long>("SELECT coalesce(sum(pushed), 0)::bigint FROM paliad.caldav_sync_log"), Is.EqualTo(1),
            "pushed once, by the tick it was handed to (or, when the tick had already let go, by the hook itself)");
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE processed_at IS NULL OR last_error IS NOT NULL OR attempts > 0"),
            Is.Zero, "no hook failed, none is retried");
    }

    [Test]
    public async Task An_appointment_deleted_while_a_tick_runs_leaves_the_calendar_once_the_tick_lets_go()
    {
        var calendar = await NewCalendarAsync("court");
        var hearing = await CreateAppointmentAsync(As(Alice), "Vacated hearing");
        var tick = await TickHoldingTheBindingAsync(calendar);
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Vacated hearing" }));

        await ExpectAsync(As(Alice).DeleteAsync($"/api/appointments/{hearing}"), System.Net.HttpStatusCode.NoContent);
        await Outbox.ProcessPendingAsync();
        var ticked = await tick;

        Assert.That(ticked, Has.Count.EqualTo(1), "the tick ran on the binding");
        Assert.That(await TitlesAsync(calendar), Is.Empty, await WhatHappenedAsync());
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE processed_at IS NULL OR last_error IS NOT NULL OR attempts > 0"),
            Is.Zero, "the removal waited for the tick instead of failing");
    }

    /// <summary>The outbox's and the sync log's view, for a failure message.</summary>
    private static async Task<string> WhatHappenedAsync()
    {
        var messages = await ScalarAsync<string>(
            "SELECT string_agg(type || ' attempts=' || attempts || ' processed=' || (processed_at IS NOT NULL) || ' error=' || coalesce(last_error, '-'), '; ') FROM paliad.outbox_messages");
        var runs = await ScalarAsync<string>(
            "SELECT string_agg(status || ' pushed=' || pushed || ' deleted=' || deleted || ' ' || coalesce(error_detail, ''), '; ' ORDER BY started_at) FROM paliad.caldav_sync_log");
        return $"outbox: {messages}; sync log: {runs}";
    }
}
