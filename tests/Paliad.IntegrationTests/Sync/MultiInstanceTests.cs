using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav.Sync;
using Paliad.Infrastructure.Persistence.Outbox;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Sync;

/// <summary>Several instances on one database split the work and never double it; a dead instance's half-done tick
/// is converged by the next one, with no duplicate in any calendar.</summary>
public sealed class MultiInstanceTests(string server) : SyncTest(server)
{
    private PaliadApiFactory _second = null!;

    [SetUp]
    public void StartSecondInstance()
    {
        _second = new PaliadApiFactory(TestDatabase.ConnectionString);
        _ = _second.Server;
    }

    [TearDown]
    public async Task StopSecondInstanceAsync() => await _second.DisposeAsync();

    private SyncEngine SecondEngine => _second.Services.GetRequiredService<SyncEngine>();

    [Test]
    public async Task Two_instances_ticking_at_once_put_every_event_in_once_and_never_tick_a_binding_twice()
    {
        var calendars = new Dictionary<string, (string Master, string Personal)>();
        foreach (var lawyer in new[] { "alice@firm.example", "bob@firm.example", "carol@firm.example" })
        {
            var user = As(lawyer);
            var master = await NewCalendarAsync("master");
            var personal = await NewCalendarAsync("personal");
            var acme = await CreateProjectAsync(user, $"Client of {lawyer}", "client");
            for (var i = 0; i < 6; i++)
            {
                await CreateAppointmentAsync(user, $"{lawyer} hearing {i}", i % 2 == 0 ? acme : null);
            }

            await ConfigureAsync(lawyer, master);
            await CreateBindingAsync(user, personal, "personal_only");
            calendars[lawyer] = (master, personal);
        }

        // No hooks: the two instances' periodic ticks do all the work, concurrently.
        var first = Engine.RunTickAsync();
        var second = SecondEngine.RunTickAsync();
        var results = (await Task.WhenAll(first, second)).SelectMany(r => r).ToList();
        var again = (await Task.WhenAll(Engine.RunTickAsync(), SecondEngine.RunTickAsync())).SelectMany(r => r).ToList();

        Assert.That(results, Has.Count.EqualTo(6), "each of the 6 bindings ticked by exactly one instance");
        Assert.That(results.Select(r => r.BindingId).Distinct().Count(), Is.EqualTo(6));
        Assert.That(again, Is.Empty, "nothing is due twice");
        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(SyncRunStatus.Ok), string.Join("; ", results.Select(r => r.Error)));
        foreach (var (lawyer, (master, personal)) in calendars)
        {
            Assert.That(await TitlesAsync(master), Has.Count.EqualTo(6), lawyer);
            Assert.That(await TitlesAsync(personal), Has.Count.EqualTo(3), lawyer);
        }

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.caldav_sync_log"), Is.EqualTo(6));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets"), Is.EqualTo(27));
    }

    [Test]
    public async Task A_tick_killed_midway_is_converged_by_the_next_one_without_duplicates()
    {
        var alice = As("alice@firm.example");
        var calendar = await NewCalendarAsync("court");
        for (var i = 0; i < 8; i++)
        {
            await CreateAppointmentAsync(alice, $"Hearing {i}", startsAt: new DateTimeOffset(2026, 12, 1 + i, 9, 0, 0, TimeSpan.Zero));
        }

        await ConfigureAsync("alice@firm.example", calendar);
        using var kill = new CancellationTokenSource();
        Proxy.Inject(
            new Fault.ForwardThenReset("PUT"),
            new Fault.ForwardThenReset("PUT"),
            new Fault.ForwardThenReset("PUT", kill.Cancel));

        // The second instance dies on its way: the third PUT reaches the server, its answer never comes back.
        Assert.CatchAsync<OperationCanceledException>(() => SecondEngine.RunTickAsync(kill.Token));
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET lease_owner = 'dead-instance', lease_expires_at = now() - interval '1 second'");
        var onServer = (await Phone.ListEtagsAsync(calendar)).Count;
        var recorded = await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets");
        Assert.That(onServer, Is.GreaterThan(recorded), "an event landed whose target was never recorded");

        var results = await Engine.RunTickAsync();

        Assert.That(results.Single().Status, Is.EqualTo(SyncRunStatus.Ok), results.Single().Error);
        var events = await EventsAsync(calendar);
        Assert.That(events, Has.Count.EqualTo(8));
        Assert.That(events.Values.Select(e => e.Title).Distinct().Count(), Is.EqualTo(8));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets"), Is.EqualTo(8));
    }

    [Test]
    public async Task A_host_killed_mid_batch_leaves_writes_unrecorded_and_the_next_tick_converges_with_no_duplicate_uid()
    {
        var alice = As("alice@firm.example");
        var calendar = await NewCalendarAsync("court");
        for (var i = 0; i < 40; i++)
        {
            await CreateAppointmentAsync(alice, $"Hearing {i}", startsAt: new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero).AddHours(i * 5));
        }

        await ConfigureAsync("alice@firm.example", calendar);
        using var kill = new CancellationTokenSource();

        // Twenty-five PUTs land (well inside one bookkeeping batch), then the host dies before it records them.
        Proxy.Inject(new Fault.ForwardThenReset("PUT", kill.Cancel) { After = 25 });
        Assert.CatchAsync<OperationCanceledException>(() => SecondEngine.RunTickAsync(kill.Token));
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET lease_owner = 'dead-instance', lease_expires_at = now() - interval '1 second'");
        var onServer = (await Phone.ListEtagsAsync(calendar)).Count;
        var recorded = await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets");
        Assert.That(onServer, Is.GreaterThanOrEqualTo(25));
        Assert.That(recorded, Is.LessThan(onServer), "writes landed whose records were lost with the host");

        var results = await Engine.RunTickAsync();

        Assert.That(results.Single().Status, Is.EqualTo(SyncRunStatus.Ok), results.Single().Error);
        var events = await EventsAsync(calendar); // refuses a duplicate UID
        Assert.That(events, Has.Count.EqualTo(40));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets"), Is.EqualTo(40));
    }

    [Test]
    public async Task Two_outbox_processors_handle_each_message_once()
    {
        var alice = As("alice@firm.example");
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync("alice@firm.example", calendar);
        await DrainAsync();
        for (var i = 0; i < 6; i++)
        {
            await CreateAppointmentAsync(alice, $"Deadline {i}");
        }

        Proxy.ResetRequests();
        await Task.WhenAll(Outbox.ProcessPendingAsync(), _second.Services.GetRequiredService<OutboxProcessor>().ProcessPendingAsync());

        Assert.That(Proxy.Count("PUT"), Is.EqualTo(6), string.Join(", ", Proxy.Requests));
        Assert.That(await TitlesAsync(calendar), Has.Count.EqualTo(6));
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE processed_at IS NULL"), Is.Zero);
    }
}
