using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Paliad.IntegrationTests.CalDav;
using Paliad.IntegrationTests.Sync;

namespace Paliad.IntegrationTests.Interop;

/// <summary>
/// What Paliad writes, read by an implementation that shares none of its code: python3-caldav with
/// python-icalendar (Debian packages) lists the calendar and reports every field, which must be exactly what the
/// appointments say — text with RFC 5545's special characters and emoji, 500-character titles, all-day spans, DST
/// edges — including after a phone-style writer added an alarm and categories and Paliad updated the event.
/// </summary>
public sealed class IndependentReaderTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";
    private const string Python = "/usr/bin/python3";

    private const string SpecialTitle = "Hearing, part 1; room \"2\" \\ backslash\nsecond line 🙂 — Ärger";

    private static readonly object[] Appointments =
    [
        new { title = SpecialTitle, description = "Claims 1, 3; see C:\\Akten\\2026\nand bring originals",
            location = "LG Düsseldorf; Saal 2, 3. OG", startsAt = "2026-12-03T09:00:00Z", endsAt = "2026-12-03T11:30:00Z", allDay = false, timeZone = "Europe/Berlin" },
        // 500 UTF-16 code units, the limit (an emoji is two).
        new { title = new string('T', 498) + "🙂", description = (string?)null, location = (string?)null,
            startsAt = "2026-12-04T13:00:00Z", endsAt = "2026-12-04T14:00:00Z", allDay = false, timeZone = "America/New_York" },
        new { title = "Court closed (all day, three days)", description = (string?)null, location = (string?)null,
            startsAt = "2026-12-24T00:00:00+01:00", endsAt = "2026-12-27T00:00:00+01:00", allDay = true, timeZone = "Europe/Berlin" },
        new { title = "Across spring forward", description = (string?)null, location = (string?)null,
            startsAt = "2026-03-29T00:30:00Z", endsAt = "2026-03-29T01:30:00Z", allDay = false, timeZone = "Europe/Berlin" },
        new { title = "In the repeated autumn hour", description = (string?)null, location = (string?)null,
            startsAt = "2026-10-25T00:30:00Z", endsAt = "2026-10-25T01:15:00Z", allDay = false, timeZone = "Europe/Berlin" },
    ];

    [Test]
    public async Task An_independent_reader_sees_every_field_Paliad_wrote_exactly()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("reader");
        var ids = new List<Guid>();
        foreach (var appointment in Appointments)
        {
            ids.Add((await ExpectAsync(PostAsync(alice, "/api/appointments", appointment), HttpStatusCode.Created)).GetProperty("id").GetGuid());
        }

        await ConfigureAsync(Alice, calendar);
        await DrainAsync();

        var read = await ReadWithPythonAsync(calendar);
        Assert.That(read, Has.Count.EqualTo(Appointments.Length));
        foreach (var id in ids)
        {
            var expected = await ExpectAsync(alice.GetAsync(new Uri($"/api/appointments/{id}", UriKind.Relative)), HttpStatusCode.OK);
            var seen = read.Single(e => e.GetProperty("uid").GetString()!.Contains(id.ToString("N"), StringComparison.Ordinal));
            AssertSame(expected, seen);
        }
    }

    [Test]
    public async Task A_phone_writers_alarm_and_categories_are_seen_beside_Paliads_later_update()
    {
        var alice = As(Alice);
        var calendar = await NewCalendarAsync("reader");
        var id = (await ExpectAsync(PostAsync(alice, "/api/appointments", Appointments[0]), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await ConfigureAsync(Alice, calendar);
        await DrainAsync();

        await PhoneAddsAsync(calendar, "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Leave now\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\nCATEGORIES:Court,Urgent\r\n");
        await Engine.SyncBindingAsync(await BindingOnAsync(calendar), CancellationToken.None);
        (await PatchAsync(alice, $"/api/appointments/{id}", new { location = "OLG Düsseldorf, Saal 1" })).EnsureSuccessStatusCode();
        await DrainAsync();

        var seen = (await ReadWithPythonAsync(calendar)).Single();
        Assert.That(seen.GetProperty("location").GetString(), Is.EqualTo("OLG Düsseldorf, Saal 1"));
        Assert.That(seen.GetProperty("alarms").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { "-PT30M" }));
        Assert.That(seen.GetProperty("categories").EnumerateArray().Select(c => c.GetString()), Is.EquivalentTo(new[] { "Court", "Urgent" }));
        Assert.That(seen.GetProperty("summary").GetString(), Is.EqualTo(SpecialTitle));
    }

    private static void AssertSame(JsonElement expected, JsonElement seen)
    {
        var title = expected.GetProperty("title").GetString();
        Assert.That(seen.GetProperty("summary").GetString(), Is.EqualTo(title), "SUMMARY");
        Assert.That(seen.GetProperty("description").GetString(), Is.EqualTo(NullIfEmpty(expected, "description")), $"DESCRIPTION of {title}");
        Assert.That(seen.GetProperty("location").GetString(), Is.EqualTo(NullIfEmpty(expected, "location")), $"LOCATION of {title}");
        var allDay = expected.GetProperty("allDay").GetBoolean();
        Assert.That(seen.GetProperty("allDay").GetBoolean(), Is.EqualTo(allDay), $"all-day of {title}");
        var zone = TimeZoneInfo.FindSystemTimeZoneById(expected.GetProperty("timeZone").GetString()!);
        var startsAt = expected.GetProperty("startsAt").GetDateTimeOffset();
        var endsAt = expected.GetProperty("endsAt").GetDateTimeOffset();
        if (allDay)
        {
            Assert.That(seen.GetProperty("start").GetString(), Is.EqualTo(TimeZoneInfo.ConvertTime(startsAt, zone).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(seen.GetProperty("end").GetString(), Is.EqualTo(TimeZoneInfo.ConvertTime(endsAt, zone).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        }
        else
        {
            Assert.That(seen.GetProperty("start").GetString(), Is.EqualTo(startsAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)), $"DTSTART of {title}");
            Assert.That(seen.GetProperty("end").GetString(), Is.EqualTo(endsAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)), $"DTEND of {title}");
        }
    }

    private static string? NullIfEmpty(JsonElement element, string property)
        => element.GetProperty(property).ValueKind == JsonValueKind.String && element.GetProperty(property).GetString() is { Length: > 0 } value ? value : null;

    /// <summary>Runs the Python reader against the calendar on the real server (not through the proxy).</summary>
    private async Task<List<JsonElement>> ReadWithPythonAsync(string calendar)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Interop", "caldav_reader.py");
        var start = new ProcessStartInfo(Python)
        {
            ArgumentList = { script, new Uri(CalDavServers.Url(Server), calendar).ToString(), CalDavServers.Username, CalDavServers.Password },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(process.ExitCode, Is.Zero, await errors);
        using var document = JsonDocument.Parse(await output);
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }
}
