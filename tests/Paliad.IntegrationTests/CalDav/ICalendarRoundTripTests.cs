using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.IntegrationTests.CalDav;

/// <summary>Appointments through a real server and back: the same instants across DST changes, all-day stays all-day.</summary>
public sealed class ICalendarRoundTripTests(string server) : CalDavTest(server)
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public static IEnumerable<TestCaseData> DstInstants()
    {
        // 2026-03-29: clocks jump 02:00 → 03:00 in Berlin, so "02:30 +01:00" is 01:30Z, which is 03:30 CEST.
        yield return new TestCaseData(DateTimeOffset.Parse("2026-03-29T02:30:00+01:00", System.Globalization.CultureInfo.InvariantCulture)).SetArgDisplayNames("spring-forward 02:30");
        // 2026-10-25: 02:00–03:00 happens twice; both 02:30s must come back as themselves.
        yield return new TestCaseData(DateTimeOffset.Parse("2026-10-25T02:30:00+02:00", System.Globalization.CultureInfo.InvariantCulture)).SetArgDisplayNames("autumn first 02:30 (CEST)");
        yield return new TestCaseData(DateTimeOffset.Parse("2026-10-25T02:30:00+01:00", System.Globalization.CultureInfo.InvariantCulture)).SetArgDisplayNames("autumn second 02:30 (CET)");
    }

    [TestCaseSource(nameof(DstInstants))]
    public async Task A_timed_appointment_round_trips_to_the_same_instants_across_dst(DateTimeOffset start)
    {
        var content = new EventContent(UidFor("dst"), "Filing deadline", "Bring the originals", "LG München I", start, start.AddMinutes(90), false, "Europe/Berlin");
        await Client.CreateAsync(Href("dst"), ICalendarMapper.ToICalendar(content, 3, start, start, start));

        var stored = await Client.GetAsync(Href("dst"));
        var parsed = ICalendarMapper.TryParse(stored!.ICalendar, "UTC", out var remote, out var error);

        Assert.That(parsed, Is.True, error);
        Assert.That(remote!.StartsAt.UtcDateTime, Is.EqualTo(start.UtcDateTime));
        Assert.That(remote.EndsAt.UtcDateTime, Is.EqualTo(start.AddMinutes(90).UtcDateTime));
        Assert.That(remote.AllDay, Is.False);
        Assert.That(remote.Title, Is.EqualTo("Filing deadline"));
        Assert.That(remote.Location, Is.EqualTo("LG München I"));
        Assert.That(stored.ICalendar, Does.Contain("SEQUENCE:3"));
    }

    [Test]
    public async Task A_zoned_event_carries_a_vtimezone_for_its_tzid()
    {
        var start = new DateTimeOffset(2026, 7, 1, 9, 0, 0, TimeSpan.FromHours(2));
        var ics = ICalendarMapper.ToICalendar(new EventContent(UidFor("tz"), "Hearing", null, null, start, start.AddHours(1), false, "Europe/Berlin"), 0, start, start, start);
        await Client.CreateAsync(Href("tz"), ics);

        var stored = (await Client.GetAsync(Href("tz")))!.ICalendar;

        Assert.That(stored, Does.Contain("BEGIN:VTIMEZONE").And.Contain("TZID:Europe/Berlin"));
        Assert.That(stored, Does.Contain("DTSTART;TZID=Europe/Berlin:20260701T090000"));
    }

    [Test]
    public async Task An_all_day_appointment_stays_all_day_on_its_dates()
    {
        var day = new DateTimeOffset(2026, 12, 24, 0, 0, 0, Berlin.GetUtcOffset(new DateTime(2026, 12, 24)));
        var content = new EventContent(UidFor("allday"), "Court closed", null, null, day, day.AddDays(2), true, "Europe/Berlin");
        await Client.CreateAsync(Href("allday"), ICalendarMapper.ToICalendar(content, 0, day, day, day));

        var stored = (await Client.GetAsync(Href("allday")))!.ICalendar;
        ICalendarMapper.TryParse(stored, "Europe/Berlin", out var remote, out _);

        Assert.That(stored, Does.Contain("DTSTART;VALUE=DATE:20261224").And.Contain("DTEND;VALUE=DATE:20261226"));
        Assert.That(remote!.AllDay, Is.True);
        Assert.That(remote.StartsAt, Is.EqualTo(day));
        Assert.That(remote.EndsAt, Is.EqualTo(day.AddDays(2)));
    }
}
