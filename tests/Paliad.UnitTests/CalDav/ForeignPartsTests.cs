using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.UnitTests.CalDav;

/// <summary>What other clients add to an event is found, kept apart from Paliad's own fields, and merged back into
/// what Paliad writes; a copy made a series is recognised; the content hash reads a server's copy the way it was
/// written.</summary>
public sealed class ForeignPartsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly EventContent Hearing = new("uid-1", "Oral hearing", "Claim charts", "LG Düsseldorf", Start, Start.AddHours(2), false, "Europe/Berlin");

    private static string Written(string? foreignParts = null) => ICalendarMapper.ToICalendar(Hearing, 3, Start, Start, Start, foreignParts);

    private static string WithPhoneAdditions(string iCalendar) => iCalendar
        .Replace("END:VEVENT", "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Go\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\nCATEGORIES:Court\r\n"
            + "X-APPLE-TRAVEL-DURATION;VALUE=DURATION:PT45M\r\nSUMMARY;X-IGNORED=1:not taken\r\nEND:VEVENT", StringComparison.Ordinal)
        .Replace("END:VCALENDAR", "X-WR-CALNAME:Phone\r\nEND:VCALENDAR", StringComparison.Ordinal);

    private static RemoteEvent Parsed(string iCalendar)
    {
        Assert.That(ICalendarMapper.TryParse(iCalendar, "Europe/Berlin", out var parsed, out var error), Is.True, error);
        return parsed!;
    }

    [Test]
    public void What_Paliad_writes_holds_nothing_foreign()
    {
        Assert.That(Parsed(Written()).ForeignParts, Is.Null);
        Assert.That(Parsed(Written()).IsSeries, Is.False);
    }

    [Test]
    public void A_phones_additions_are_found_without_Paliads_own_fields()
    {
        var foreign = Parsed(WithPhoneAdditions(Written())).ForeignParts;

        Assert.That(foreign, Does.Contain("TRIGGER:-PT30M").And.Contain("CATEGORIES:Court").And.Contain("X-APPLE-TRAVEL-DURATION;VALUE=DURATION:PT45M"));
        Assert.That(foreign, Does.Contain("X-WR-CALNAME:Phone"), "the calendar object's own additions too");
        Assert.That(foreign, Does.Not.Contain("Oral hearing").And.Not.Contain("DTSTART").And.Not.Contain("LG Düsseldorf").And.Not.Contain("VTIMEZONE"));
    }

    [Test]
    public void Merged_into_a_new_version_the_additions_survive_and_Paliads_fields_are_Paliads()
    {
        var foreign = Parsed(WithPhoneAdditions(Written())).ForeignParts;
        var moved = Hearing with { Location = "Saal 4", Title = "Oral hearing (moved)" };

        var merged = ICalendarMapper.ToICalendar(moved, 4, Start, Start, Start, foreign);
        var read = Parsed(merged);

        Assert.That((read.Title, read.Location), Is.EqualTo(("Oral hearing (moved)", "Saal 4")));
        Assert.That(merged, Does.Contain("TRIGGER:-PT30M").And.Contain("CATEGORIES:Court").And.Contain("X-WR-CALNAME:Phone"));
        Assert.That(merged, Does.Not.Contain("not taken"), "a SUMMARY from the other side never overrides Paliad's");
        Assert.That(read.ForeignParts, Is.EqualTo(foreign), "merging again keeps exactly the same additions: no growth");
    }

    [TestCase("RRULE:FREQ=WEEKLY;COUNT=3\r\n")]
    [TestCase("RDATE:20261210T090000Z\r\n")]
    [TestCase("EXDATE:20261210T090000Z\r\n")]
    public void A_copy_with_recurrence_is_a_series(string recurrence)
    {
        var copy = Written().Replace("END:VEVENT", recurrence + "END:VEVENT", StringComparison.Ordinal);

        var read = Parsed(copy);
        Assert.That(read.IsSeries, Is.True);
        Assert.That(read.ForeignParts, Is.Null, "recurrence is Paliad's to write: it is not kept");
    }

    [Test]
    public void A_copy_with_an_edited_occurrence_is_a_series_and_the_occurrence_is_not_kept()
    {
        var copy = Written().Replace("END:VCALENDAR",
            "BEGIN:VEVENT\r\nUID:uid-1\r\nDTSTAMP:20261120T080000Z\r\nRECURRENCE-ID:20261210T090000Z\r\nDTSTART:20261210T100000Z\r\n"
            + "DTEND:20261210T110000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\nEND:VCALENDAR", StringComparison.Ordinal);

        var read = Parsed(copy);
        Assert.That(read.IsSeries, Is.True);
        Assert.That(read.Title, Is.EqualTo("Oral hearing"), "the master is read, not the occurrence");
        Assert.That(read.ForeignParts, Is.Null);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void The_hash_of_a_copy_read_back_is_the_hash_it_was_written_from(bool allDay)
    {
        // All-day appointments may hold any time of day; the calendar holds dates. Line breaks come back as LF.
        var content = Hearing with { Description = "Line 1\r\nLine 2; with, punctuation \\ and 🙂", AllDay = allDay };

        var read = Parsed(ICalendarMapper.ToICalendar(content, 1, Start, Start, Start)).AsContent("Europe/Berlin");

        Assert.That(read.ContentHash(), Is.EqualTo(content.ContentHash()));
        Assert.That((content with { Title = "Other" }).ContentHash(), Is.Not.EqualTo(content.ContentHash()));
        Assert.That((content with { EndsAt = content.EndsAt.AddDays(1) }).ContentHash(), Is.Not.EqualTo(content.ContentHash()));
    }
}
