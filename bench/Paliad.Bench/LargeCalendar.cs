using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Bench;

/// <summary>A large calendar without 10,000 PUTs: each appointment's event written into Radicale's filesystem storage
/// under the UID and href the engine derives, and its copy seeded with the content hash and server ETag the pushes
/// would have recorded; the next tick (the binding's first) is a full reconcile.</summary>
internal static class LargeCalendar
{
    public static async Task<int> WriteAsync(IServiceProvider services, Guid bindingId, string calendarPath, string radicaleStorage, CalDavClient caldav)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        var binding = await db.CalendarBindings.AsNoTracking().SingleAsync(b => b.Id == bindingId);
        var appointments = await db.Appointments.AsNoTracking().Where(a => a.OwnerId == binding.UserId).ToListAsync();
        var folder = Folder(radicaleStorage, calendarPath);
        var now = DateTimeOffset.UtcNow;
        var ids = new Guid[appointments.Count];
        var uids = new string[appointments.Count];
        var hrefs = new string[appointments.Count];
        var hashes = new string[appointments.Count];
        for (var i = 0; i < appointments.Count; i++)
        {
            var appointment = appointments[i];
            var uid = EventNames.Uid(appointment.Id, binding.Id);
            var content = EventContent.From(appointment, uid);
            (ids[i], uids[i], hrefs[i], hashes[i]) = (appointment.Id, uid, EventNames.Href(binding.CalendarPath, uid), content.ContentHash());
            await File.WriteAllTextAsync(Path.Combine(folder, uid + ".ics"),
                ICalendarMapper.ToICalendar(content, 1, appointment.CreatedAt, appointment.UpdatedAt, now), new UTF8Encoding(false));
        }

        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO paliad.appointment_targets (id, appointment_id, binding_id, caldav_uid, caldav_href, caldav_etag, content_hash, last_pushed_at, synced_version)
            SELECT gen_random_uuid(), x.id, {bindingId}, x.uid, x.href, NULL, x.hash, now(), 1
            FROM unnest({ids}, {uids}, {hrefs}, {hashes}) AS x(id, uid, href, hash)
            """);

        // The ETags the server gives them, as the pushes would have recorded.
        var listed = await caldav.ListEtagsAsync(calendarPath);
        var etagHrefs = listed.Keys.ToArray();
        var etags = listed.Values.ToArray();
        await db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.appointment_targets t SET caldav_etag = x.etag
            FROM unnest({etagHrefs}, {etags}) AS x(href, etag)
            WHERE t.binding_id = {bindingId} AND t.caldav_href = x.href
            """);
        await db.Database.ExecuteSqlRawAsync("ANALYZE"); // as autovacuum would have by the time a calendar is this full
        return appointments.Count;
    }

    /// <summary>What a phone does to <paramref name="count"/> events (their SUMMARY changed), in the storage.</summary>
    public static void Edit(string radicaleStorage, string calendarPath, int count)
    {
        foreach (var file in Directory.EnumerateFiles(Folder(radicaleStorage, calendarPath), "*.ics").Order(StringComparer.Ordinal).Take(count))
        {
            File.WriteAllText(file, File.ReadAllText(file).Replace("SUMMARY:Hearing", "SUMMARY:Moved hearing", StringComparison.Ordinal), new UTF8Encoding(false));
        }
    }

    private static string Folder(string radicaleStorage, string calendarPath)
        => Path.Combine(radicaleStorage, "collection-root", Uri.UnescapeDataString(calendarPath).Trim('/'));
}
