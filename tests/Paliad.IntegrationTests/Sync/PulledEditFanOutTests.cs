using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.IntegrationTests.Sync;

/// <summary>Edits a tick pulls from one calendar reach the other calendars that carry them through one fan-out per
/// tick (one outbox message, one claim per binding), not one per edit.</summary>
public sealed class PulledEditFanOutTests(string server) : SyncTest(server)
{
    private const string Alice = "alice@firm.example";

    [Test]
    public async Task Three_phone_edits_reach_the_users_other_calendar_through_one_fan_out()
    {
        var alice = As(Alice);
        var phone = await NewCalendarAsync("phone");
        var desk = await NewCalendarAsync("desk");
        for (var i = 0; i < 3; i++)
        {
            await CreateAppointmentAsync(alice, $"Hearing {i}", startsAt: new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero).AddDays(i));
        }

        await ConfigureAsync(Alice, phone);
        await CreateBindingAsync(alice, desk, "personal_only");
        await DrainAsync();
        Assert.That(await TitlesAsync(desk), Has.Count.EqualTo(3));

        await RenameAllOnThePhoneAsync(phone, "Moved");
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day' WHERE calendar_path = @p", ("p", phone));
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() WHERE calendar_path = @p", ("p", desk));
        var pulled = (await Engine.RunTickAsync()).Single();
        Assert.That(pulled.Counts.Pulled, Is.EqualTo(3));

        Assert.That(await ScalarAsync<long>("SELECT count(*) FROM paliad.outbox_messages WHERE type = 'CalendarEditsPulled' AND processed_at IS NULL"), Is.EqualTo(1));
        Proxy.ResetRequests();
        await DrainAsync();

        Assert.That(await TitlesAsync(desk), Is.EqualTo(new[] { "Moved 0", "Moved 1", "Moved 2" }));
        Assert.That(Proxy.Count("PUT"), Is.EqualTo(3), "the desk calendar's three copies, and nothing written back to the phone's");
        Assert.That(await TitlesAsync(phone), Is.EqualTo(new[] { "Moved 0", "Moved 1", "Moved 2" }));
    }

    [Test]
    public async Task A_pulled_edit_is_not_written_back_to_the_calendar_it_came_from()
    {
        var alice = As(Alice);
        var phone = await NewCalendarAsync("phone");
        await CreateAppointmentAsync(alice, "Hearing");
        await ConfigureAsync(Alice, phone);
        await DrainAsync();

        await EditOnThePhoneAsync(phone, "Hearing (Saal 3)", TimeSpan.Zero);
        await ExecuteAsync("UPDATE paliad.calendar_bindings SET last_sync_at = now() - interval '1 day'");
        Assert.That((await Engine.RunTickAsync()).Single().Counts.Pulled, Is.EqualTo(1));
        Proxy.ResetRequests();
        await DrainAsync();

        Assert.That(Proxy.Count("PUT"), Is.Zero);
        Assert.That(await TitlesAsync(phone), Is.EqualTo(new[] { "Hearing (Saal 3)" }));
    }

    private async Task RenameAllOnThePhoneAsync(string calendar, string prefix)
    {
        foreach (var href in (await Phone.ListEtagsAsync(calendar)).Keys)
        {
            var current = await Phone.GetAsync(href);
            ICalendarMapper.TryParse(current!.ICalendar, "UTC", out var parsed, out _);
            var edited = ICalendarMapper.ToICalendar(
                new EventContent(parsed!.Uid, parsed.Title!.Replace("Hearing", prefix, StringComparison.Ordinal), parsed.Description, parsed.Location, parsed.StartsAt,
                    parsed.EndsAt, false, "Europe/Berlin"),
                7, parsed.StartsAt, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
            await Phone.UpdateAsync(href, edited, current.Etag!);
        }
    }
}
