using System.Text;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.UnitTests.CalDav;

/// <summary>A calendar object's structure is bounded before Ical.Net (which recurses per nesting level) reads it.</summary>
public sealed class ICalendarShapeTests
{
    private const string Event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20261203T080000Z\r\n"
        + "DTSTART:20261203T090000Z\r\nDTEND:20261203T100000Z\r\nSUMMARY:Hearing\r\n";

    private static string WithInside(string inside) => Event + inside + "END:VEVENT\r\nEND:VCALENDAR\r\n";

    private static string Nested(int levels, string newline = "\r\n")
    {
        var text = new StringBuilder();
        text.Insert(0, $"BEGIN:X{newline}", levels).Insert(text.Length, $"END:X{newline}", levels);
        return text.ToString();
    }

    [Test]
    public void An_event_with_an_alarm_and_a_time_zone_is_within_the_bounds()
    {
        var ics = WithInside("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nBEGIN:X-NOTE\r\nX-A:b\r\nEND:X-NOTE\r\nEND:VALARM\r\n")
            .Replace("BEGIN:VEVENT", "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT", StringComparison.Ordinal);

        Assert.That(ICalendarShape.Problem(ics), Is.Null);
        Assert.That(ICalendarMapper.TryParse(ics, "UTC", out var read, out var error), Is.True, error);
        Assert.That(read!.ForeignParts, Does.Contain("X-NOTE"));
    }

    [Test]
    public void A_hundred_thousand_nested_components_are_refused_before_parsing()
    {
        var ics = WithInside(Nested(100_000));

        var readable = ICalendarMapper.TryParse(ics, "UTC", out var read, out var error);

        Assert.That(readable, Is.False);
        Assert.That(read, Is.Null);
        Assert.That(error, Does.Contain("nested more than 4 deep"));
    }

    [TestCase(2, null)]
    [TestCase(3, "nested more than 4 deep")]
    public void Nesting_stops_one_level_past_what_standard_components_need(int insideTheEvent, string? problem)
    {
        Assert.That(ICalendarShape.Problem(WithInside(Nested(insideTheEvent))), problem is null ? Is.Null : Does.Contain(problem));
    }

    [TestCase("\n")]
    [TestCase("\r")]
    public void Bare_line_breaks_do_not_hide_components(string newline)
    {
        Assert.That(ICalendarShape.Problem(WithInside(Nested(10, newline))), Does.Contain("nested"));
    }

    [Test]
    public void A_folded_begin_line_is_counted()
    {
        var folded = string.Concat(Enumerable.Repeat("BEG\r\n IN:X\r\n", 10)) + string.Concat(Enumerable.Repeat("END:X\r\n", 10));

        Assert.That(ICalendarShape.Problem(WithInside(folded)), Does.Contain("nested"));
    }

    [TestCase("BEGIN;X-P=1:X")]
    [TestCase("begin :x")]
    [TestCase("BEGIN\t;A=\"b:c\":X")]
    public void Begin_lines_with_parameters_or_blanks_are_counted(string begin)
    {
        var nested = string.Concat(Enumerable.Repeat(begin + "\r\n", 10)) + string.Concat(Enumerable.Repeat("END:X\r\n", 10));

        Assert.That(ICalendarShape.Problem(WithInside(nested)), Does.Contain("nested"));
    }

    [Test]
    public void Properties_named_like_begin_are_not_components()
    {
        var lookalikes = string.Concat(Enumerable.Repeat("BEGINNING:x\r\nX-BEGIN:y\r\nENDING:z\r\nDESCRIPTION:BEGIN:X\r\n", 20));

        Assert.That(ICalendarShape.Problem(WithInside(lookalikes)), Is.Null);
    }

    [Test]
    public void Lower_case_begin_lines_are_counted()
    {
        Assert.That(ICalendarShape.Problem(WithInside(Nested(10).ToLowerInvariant())), Does.Contain("nested"));
    }

    [Test]
    public void Too_many_sibling_components_are_refused_counting_the_calendar_and_the_event()
    {
        static string Alarms(int count) => string.Concat(Enumerable.Repeat("BEGIN:VALARM\r\nEND:VALARM\r\n", count));

        Assert.That(ICalendarShape.Problem(WithInside(Alarms(ICalendarShape.MaxComponents - 2))), Is.Null);
        Assert.That(ICalendarShape.Problem(WithInside(Alarms(ICalendarShape.MaxComponents - 1))), Does.Contain($"more than {ICalendarShape.MaxComponents} components"));
    }

    [Test]
    public void Too_many_lines_are_refused()
    {
        var properties = string.Concat(Enumerable.Repeat("X-A:b\r\n", ICalendarShape.MaxContentLines));

        Assert.That(ICalendarShape.Problem(WithInside(properties)), Does.Contain($"more than {ICalendarShape.MaxContentLines} lines"));
    }

    [Test]
    public void An_end_without_its_begin_is_refused()
    {
        Assert.That(ICalendarShape.Problem("END:VEVENT\r\nBEGIN:VEVENT\r\n"), Does.Contain("END without its BEGIN"));
    }

    [Test]
    public void Foreign_parts_kept_before_the_bounds_are_dropped_on_push_rather_than_parsed()
    {
        var kept = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + Nested(10_000) + "END:VEVENT\r\nEND:VCALENDAR\r\n";
        var start = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

        var ics = ICalendarMapper.ToICalendar(new EventContent("u1", "Hearing", null, null, start, start.AddHours(1), false, "UTC"), 1, start, start, start, kept);

        Assert.That(ics, Does.Contain("SUMMARY:Hearing").And.Not.Contain("BEGIN:X"));
    }
}
