using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav.Sync;
using Paliad.Domain.Common;
using Paliad.Infrastructure.Sync;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Sync;

/// <summary>
/// Each hostile answer, met by a binding's tick: the tick ends within its deadline, and the binding carries a typed
/// outcome (its status and last error say what happened) — never a hang, a crash of the round, or lost data.
/// </summary>
public sealed partial class HostileBindingTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";
    private static readonly TimeSpan TickDeadline = TimeSpan.FromSeconds(5);
    private PaliadApiFactory _host = null!;

    [OneTimeSetUp]
    public void StartHost() => _host = new PaliadApiFactory(TestDatabase.ConnectionString, new Dictionary<string, string>
    {
        ["Sync:TickTimeoutSeconds"] = "5",
        ["CalDav:RequestTimeoutSeconds"] = "1",
        ["CalDav:MaxRetries"] = "1",
        ["CalDav:MaxSyncCollectionRounds"] = "4",
    });

    [OneTimeTearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    private SyncEngine HostileEngine => _host.Services.GetRequiredService<SyncEngine>();

    private async Task<(Guid Binding, string Calendar)> SyncedBindingAsync()
    {
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(As(Alice), "Hearing");
        await ConfigureAsync(Alice, calendar);
        var binding = await BindingOnAsync(calendar);
        var first = (await HostileEngine.RunTickAsync()).Single();
        Assert.That(first.Status, Is.EqualTo(SyncRunStatus.Ok), first.Error);
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day'");
        return (binding, calendar);
    }

    private async Task<(string Status, string? Error, TimeSpan Took)> TickAsync(Guid binding)
    {
        var clock = Stopwatch.StartNew();
        var result = (await HostileEngine.RunTickAsync()).Single();
        Assert.That(result.BindingId, Is.EqualTo(binding));
        // The technical detail beside the plain words: what the server did.
        return (Words.Of(result.Status), await ScalarAsync<string>("SELECT last_sync_error_detail FROM paliad.calendar_bindings WHERE id = @b", ("b", binding)),
            clock.Elapsed);
    }

    public static IEnumerable<TestCaseData> Faults()
    {
        yield return new TestCaseData(new Fault.StallAfterHeaders("PROPFIND") { Always = true }, "timeout").SetName("Headers then a stalled body");
        yield return new TestCaseData(new Fault.SlowDrip("PROPFIND", TimeSpan.FromMilliseconds(100)) { Always = true }, "timeout").SetName("A slow-drip body");
        yield return new TestCaseData(new Fault.Blackhole(null) { Always = true }, "PROPFIND").SetName("A blackhole");
        yield return new TestCaseData(new Fault.GzipBomb("PROPFIND", 256 * 1024 * 1024) { Always = true }, "decompresses").SetName("A gzip bomb");
        yield return new TestCaseData(new Fault.Redirect(null, "http://127.0.0.1:9/elsewhere/") { Always = true }, "Refused to send a request").SetName("A redirect to another port");
    }

    [TestCaseSource(nameof(Faults))]
    public async Task A_hostile_answer_ends_the_tick_within_its_deadline_as_an_error_on_the_binding(Fault fault, string expected)
    {
        var (binding, calendar) = await SyncedBindingAsync();
        Proxy.Inject(fault);

        var (status, error, took) = await TickAsync(binding);

        Assert.That(took, Is.LessThan(TickDeadline + TimeSpan.FromSeconds(5)));
        Assert.That(status, Is.EqualTo("error").Or.EqualTo("partial"));
        Assert.That(await ScalarAsync<string>("SELECT sync_status FROM paliad.calendar_bindings WHERE id = @b", ("b", binding)), Is.EqualTo("error"));
        Assert.That(error, Does.Contain(expected).Or.Contain("deadline"));
        Assert.That(await ScalarAsync<int>("SELECT consecutive_failures FROM paliad.calendar_bindings WHERE id = @b", ("b", binding)), Is.EqualTo(1));
        Proxy.ClearFaults();
        Assert.That(await TitlesAsync(calendar), Is.EqualTo(new[] { "Hearing" }), "nothing lost, nothing doubled");
    }

    [Test]
    public async Task An_endless_507_loop_ends_as_an_error_on_the_binding()
    {
        var (binding, calendar) = await SyncedBindingAsync();
        Proxy.ResetRequests();
        var round = 0;
        Proxy.Inject(
            new Fault.Rewrite("PROPFIND", body => Marker().Replace(body, m => m.Groups[1].Value + "changed-" + m.Groups[2].Value + m.Groups[3].Value)) { Always = true },
            new Fault.Respond("REPORT", 207, () =>
                $"""<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response><d:href>{calendar}</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response><d:sync-token>http://x/{Interlocked.Increment(ref round)}</d:sync-token></d:multistatus>""")
            { Always = true });

        var (status, error, _) = await TickAsync(binding);

        Assert.That(status, Is.EqualTo("error"));
        Assert.That(error, Does.Contain("507"));
        Assert.That(Proxy.Count("REPORT"), Is.EqualTo(4), "CalDav:MaxSyncCollectionRounds");
    }

    [Test]
    public async Task Change_markers_and_etags_of_2000_characters_are_treated_as_absent_and_the_tick_succeeds()
    {
        var (binding, calendar) = await SyncedBindingAsync();
        var longValue = new string('9', 2000);
        Proxy.Inject(new Fault.Rewrite("PROPFIND", body => Marker().Replace(body, m => m.Groups[1].Value + longValue + m.Groups[3].Value)) { Always = true });
        await Phone.CreateAsync($"{calendar}from-phone.ics", PhoneEvent());

        var (status, error, _) = await TickAsync(binding);

        Assert.That(status, Is.EqualTo("ok"), error);
        Assert.That(await ScalarAsync<bool>("SELECT ctag IS NULL AND coalesce(length(sync_token), 0) <= 1024 FROM paliad.calendar_bindings WHERE id = @b", ("b", binding)), Is.True);
        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.appointment_targets WHERE length(caldav_etag) > 255"), Is.Zero);
    }

    private static string PhoneEvent()
    {
        var start = new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);
        return Paliad.Infrastructure.CalDav.ICalendar.ICalendarMapper.ToICalendar(
            new Paliad.Infrastructure.CalDav.ICalendar.EventContent("from-phone", "Phone", null, null, start, start.AddHours(1), false, "UTC"), 0, start, start, start);
    }

    [GeneratedRegex("(<[^>]*(?:getctag|sync-token|getetag)[^>]*>)([^<]*)(</)")]
    private static partial Regex Marker();
}
