using System.Net;
using System.Text.RegularExpressions;
using Paliad.Application.CalDav.Sync;
using Paliad.IntegrationTests.CalDav;

namespace Paliad.IntegrationTests.Sync;

/// <summary>
/// The account's credentials go to its own origin or nowhere. A listener on another loopback address and one on
/// another port of the same host stand in for "evil.example": for every source of a URL — a calendar path stored
/// by other means, hrefs the server answers in discovery and in multistatus, a redirect — they receive no
/// connection at all, and the operation ends with a typed error on the record.
/// </summary>
public sealed partial class CredentialContainmentTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";
    private ForeignListener _otherAddress = null!;
    private ForeignListener _otherPort = null!;

    [SetUp]
    public void StartListeners()
    {
        _otherAddress = new ForeignListener(IPAddress.Parse("127.0.0.2"));
        _otherPort = new ForeignListener(IPAddress.Loopback);
    }

    [TearDown]
    public void StopListeners()
    {
        _otherAddress.Dispose();
        _otherPort.Dispose();
    }

    private void AssertNothingReachedAnotherOrigin()
    {
        Assert.That(_otherAddress.Connections, Is.Zero, "a connection reached another loopback address");
        Assert.That(_otherPort.Connections, Is.Zero, "a connection reached another port on the same host");
    }

    private IEnumerable<string> ForeignForms(string path) =>
    [
        $"//{_otherAddress.Authority}{path}",
        $"http://{_otherAddress.Authority}{path}",
        $"http://{_otherPort.Authority}{path}",
        $"http:%2F%2F{_otherPort.Authority}{path}",
    ];

    [Test]
    public async Task A_stored_calendar_path_naming_another_host_never_sends_a_request_there()
    {
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(As(Alice), "Hearing");
        await ConfigureAsync(Alice, calendar);
        var binding = await BindingOnAsync(calendar);

        foreach (var path in new[] { $"//{_otherAddress.Authority}/cal/", $"/%2F{_otherAddress.Authority}/cal/", $"//{_otherPort.Authority}/cal/" })
        {
            // Bypassing the API (which refuses these): the engine's own guard must hold on its own.
            await ExecuteAsync("UPDATE paliad.calendar_bindings SET calendar_path = @p, sync_status = 'pending', next_attempt_at = NULL WHERE id = @id",
                ("p", path), ("id", binding));
            await ExecuteAsync("DELETE FROM paliad.appointment_targets");

            var result = await Engine.SyncBindingAsync(binding, CancellationToken.None);

            Assert.That(result.Status, Is.EqualTo(SyncRunStatus.Error), path);
            Assert.That(result.ErrorDetail, Does.Contain("Refused to send a request"), path);
        }

        AssertNothingReachedAnotherOrigin();
    }

    [Test]
    public async Task A_principal_href_on_another_origin_is_refused_in_discovery()
    {
        await ConfigureAsync(Alice);
        foreach (var foreign in ForeignForms("/principal/"))
        {
            Proxy.Inject(new Fault.Rewrite("PROPFIND", body => PrincipalHref().Replace(body, m => m.Groups[1].Value + foreign + m.Groups[3].Value)) { Always = true });

            var problem = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.BadGateway);

            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Refused to send a request").Or.Contain("names no current-user-principal"), foreign);
            Proxy.ClearFaults();
        }

        AssertNothingReachedAnotherOrigin();
    }

    [Test]
    public async Task A_calendar_home_on_another_origin_is_refused_in_discovery()
    {
        await ConfigureAsync(Alice);
        foreach (var foreign in ForeignForms("/home/"))
        {
            Proxy.Inject(new Fault.Rewrite("PROPFIND", body => HomeHref().Replace(body, m => m.Groups[1].Value + foreign + m.Groups[3].Value)) { Always = true });

            await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.BadGateway);
            Proxy.ClearFaults();
        }

        AssertNothingReachedAnotherOrigin();
    }

    [Test]
    public async Task Calendars_listed_on_another_origin_are_left_out_of_discovery()
    {
        var calendar = await NewCalendarAsync("court");
        await ConfigureAsync(Alice);
        Proxy.Inject(new Fault.Rewrite("PROPFIND", body => body.Replace($">{calendar}<", $">http://{_otherPort.Authority}{calendar}<", StringComparison.Ordinal)) { Always = true });

        var calendars = await ExpectAsync(As(Alice).GetAsync(new Uri("/api/caldav-calendars", UriKind.Relative)), HttpStatusCode.OK);

        Assert.That(calendars.EnumerateArray().Select(c => c.GetProperty("href").GetString()), Has.None.Contains(calendar));
        AssertNothingReachedAnotherOrigin();
    }

    [Test]
    public async Task A_redirect_to_another_port_on_the_same_host_is_refused_in_a_tick()
    {
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(As(Alice), "Hearing");
        await ConfigureAsync(Alice, calendar);
        Proxy.Inject(new Fault.Redirect(null, $"http://{_otherPort.Authority}{calendar}") { Always = true });

        var result = (await Engine.RunTickAsync()).Single();

        Assert.That(result.Status, Is.EqualTo(SyncRunStatus.Error));
        Assert.That(result.ErrorDetail, Does.Contain("Refused to send a request"));
        AssertNothingReachedAnotherOrigin();
    }

    [Test]
    public async Task Hrefs_on_another_origin_in_a_sync_answer_are_ignored()
    {
        var calendar = await NewCalendarAsync("court");
        await CreateAppointmentAsync(As(Alice), "Hearing");
        await ConfigureAsync(Alice, calendar);
        await Engine.RunTickAsync();
        await Phone.CreateAsync($"{calendar}phone.ics", Event("phone", "Added on the phone"));
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day', ticks_since_full_reconcile = 0");
        Proxy.Inject(new Fault.Rewrite("REPORT", body => ResponseHref().Replace(body, m => m.Groups[1].Value + $"http://{_otherAddress.Authority}" + m.Groups[2].Value + m.Groups[3].Value)) { Always = true });
        Proxy.Inject(new Fault.Rewrite("PROPFIND", body => ResponseHref().Replace(body, m => m.Groups[1].Value + $"//{_otherPort.Authority}" + m.Groups[2].Value + m.Groups[3].Value)) { Always = true });

        var result = (await Engine.RunTickAsync()).Single();

        Assert.That(result.Status, Is.Not.EqualTo(SyncRunStatus.Error), result.Error);
        AssertNothingReachedAnotherOrigin();
    }

    private static string Event(string uid, string title)
    {
        var start = new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);
        return Paliad.Infrastructure.CalDav.ICalendar.ICalendarMapper.ToICalendar(
            new Paliad.Infrastructure.CalDav.ICalendar.EventContent(uid, title, null, null, start, start.AddHours(1), false, "UTC"), 0, start, start, start);
    }

    [GeneratedRegex("(current-user-principal[^>]*>\\s*<(?:[A-Za-z0-9]+:)?href[^>]*>)([^<]*)(<)")]
    private static partial Regex PrincipalHref();

    [GeneratedRegex("(calendar-home-set[^>]*>\\s*<(?:[A-Za-z0-9]+:)?href[^>]*>)([^<]*)(<)")]
    private static partial Regex HomeHref();

    [GeneratedRegex("(<(?:[A-Za-z0-9]+:)?response[^>]*>\\s*<(?:[A-Za-z0-9]+:)?href[^>]*>)([^<]*)(<)")]
    private static partial Regex ResponseHref();
}
