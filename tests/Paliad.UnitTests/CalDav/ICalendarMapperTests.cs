using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.UnitTests.CalDav;

/// <summary>Reading what real servers and clients send, and the content hash that keeps unchanged events unwritten.</summary>
public sealed class ICalendarMapperTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);

    private static EventContent Content(string title = "Hearing") => new("uid-1", title, "Notes", "Saal 1", Start, Start.AddHours(1), false, "Europe/Berlin");

    [TestCase(3)]
    [TestCase(10)]
    public void A_hearing_years_ahead_is_written_with_its_zone_and_reads_back_at_the_same_instant(int yearsAhead)
    {
        var begins = new DateTimeOffset(DateTime.UtcNow.Year + yearsAhead, 7, 1, 7, 30, 0, TimeSpan.Zero);
        var far = Content() with { StartsAt = begins, EndsAt = begins.AddHours(2) };

        var ics = ICalendarMapper.ToICalendar(far, 1, Start, Start, Start);

        Assert.That(ics, Does.Contain("BEGIN:VTIMEZONE").And.Contain("TZID:Europe/Berlin"));
        Assert.That(ics, Does.Contain($"DTSTART;TZID=Europe/Berlin:{begins.Year}0701T093000"), "summer time in Berlin: UTC+2");
        Assert.That(ICalendarMapper.TryParse(ics, "UTC", out var read, out var error), Is.True, error);
        Assert.That((read!.StartsAt, read.EndsAt), Is.EqualTo((begins, begins.AddHours(2))));
    }

    [Test]
    public void The_hash_ignores_stamps_and_sequence_but_not_content()
    {
        var hash = Content().ContentHash();

        Assert.That(Content().ContentHash(), Is.EqualTo(hash));
        Assert.That(Content("Hearing moved").ContentHash(), Is.Not.EqualTo(hash));
        Assert.That((Content() with { EndsAt = Start.AddHours(2) }).ContentHash(), Is.Not.EqualTo(hash));
        Assert.That((Content() with { TimeZone = "Europe/London" }).ContentHash(), Is.Not.EqualTo(hash));
        Assert.That(ICalendarMapper.ToICalendar(Content(), 1, Start, Start, Start), Is.Not.EqualTo(ICalendarMapper.ToICalendar(Content(), 2, Start, Start, Start.AddDays(1))));
    }

    [Test]
    public void Folded_lines_escaped_text_and_LF_only_line_ends_are_read()
    {
        const string ics = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Apple Inc.//iPhone OS 18//EN\nBEGIN:VEVENT\nUID:abc\nDTSTAMP:20261201T000000Z\n"
                           + "SUMMARY:A very long title that a phone folded over\n  two lines\\, with a comma\nX-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\n"
                           + "DTSTART:20261203T080000Z\nDTEND:20261203T090000Z\nEND:VEVENT\nEND:VCALENDAR\n";

        Assert.That(ICalendarMapper.TryParse(ics, "UTC", out var remote, out var error), Is.True, error);
        Assert.That(remote!.Title, Is.EqualTo("A very long title that a phone folded over two lines, with a comma"));
        Assert.That(remote.StartsAt, Is.EqualTo(Start));
    }

    [Test]
    public void An_outlook_style_windows_tzid_is_understood()
    {
        const string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:Microsoft Exchange Server 2010\r\nBEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"
                           + "BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
                           + "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n"
                           + "END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:outlook\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Client call\r\n"
                           + "DTSTART;TZID=W. Europe Standard Time:20261203T090000\r\nDTEND;TZID=W. Europe Standard Time:20261203T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

        Assert.That(ICalendarMapper.TryParse(ics, "UTC", out var remote, out var error), Is.True, error);
        Assert.That(remote!.StartsAt, Is.EqualTo(Start));
    }

    [Test]
    public void A_google_style_utc_event_with_a_duration_is_read()
    {
        const string ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nBEGIN:VEVENT\r\nUID:g@google.com\r\n"
                           + "DTSTAMP:20261201T000000Z\r\nDTSTART:20261203T080000Z\r\nDURATION:PT45M\r\nSUMMARY:Call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

        Assert.That(ICalendarMapper.TryParse(ics, "UTC", out var remote, out _), Is.True);
        Assert.That(remote!.EndsAt, Is.EqualTo(Start.AddMinutes(45)));
    }

    [TestCase("")]
    [TestCase("this is not a calendar")]
    [TestCase("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026-bogus\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")]
    [TestCase("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:x\r\nEND:VTODO\r\nEND:VCALENDAR\r\n")]
    public void Malformed_data_is_reported_not_thrown(string ics)
    {
        Assert.That(ICalendarMapper.TryParse(ics, "UTC", out var remote, out var error), Is.False);
        Assert.That(remote, Is.Null);
        Assert.That(error, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public void Names_are_stable_and_derived_from_the_ids()
    {
        var appointment = Guid.Parse("0192f0a1-0000-7000-8000-000000000001");
        var binding = Guid.Parse("0192f0a1-0000-7000-8000-0000000000b1");

        Assert.That(EventNames.Uid(appointment, binding), Is.EqualTo("paliad-0192f0a1000070008000000000000001-0192f0a10000700080000000000000b1"));
        Assert.That(EventNames.Uid(appointment, Guid.CreateVersion7()), Is.Not.EqualTo(EventNames.Uid(appointment, binding)));
        Assert.That(EventNames.Href("/dav/alice/court/", "u1"), Is.EqualTo("/dav/alice/court/u1.ics"));
        Assert.That(EventNames.Href("/dav/alice/court", "u1"), Is.EqualTo("/dav/alice/court/u1.ics"));
    }
}
