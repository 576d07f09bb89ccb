using Microsoft.Extensions.Caching.Memory;
using Paliad.Application.Feeds.ReadFeed;
using Paliad.Domain.Appointments;
using Paliad.Domain.Feeds;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Feeds;

/// <summary>A feed through the engine's mapper: the same event content the engine writes into calendars, under UIDs
/// of the feed's own (<c>paliad-feed-…</c>), so a client that also holds the CalDAV copy sees two events, not a clash.</summary>
internal sealed class FeedRenderer : IFeedRenderer, IDisposable
{
    /// <summary>What clients are told about refreshing (Outlook and Google refresh on their own schedule anyway).</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromMinutes(15);

    /// <summary>Characters of rendered feeds held at once (about 64 MiB), over all feeds of all users.</summary>
    private const long CacheChars = 32L * 1024 * 1024;

    private readonly MemoryCache _rendered = new(new MemoryCacheOptions { SizeLimit = CacheChars });

    public bool TryGetRendered(string etag, out string calendar) => _rendered.TryGetValue(etag, out calendar!);

    public void KeepRendered(string etag, string calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (calendar.Length <= CacheChars / 8)
        {
            // Held while fetched: a version nobody asks for within the hour goes (a changed feed has a new ETag anyway).
            _rendered.Set(etag, calendar, new MemoryCacheEntryOptions { Size = calendar.Length, SlidingExpiration = TimeSpan.FromHours(1) });
        }
    }

    public void Dispose() => _rendered.Dispose();

    public string Render(CalendarFeed feed, IReadOnlyList<Appointment> appointments)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(appointments);
        return ICalendarMapper.ToFeed(
            feed.DisplayName,
            Refresh,
            appointments.Select(a => (EventContent.From(a, EventNames.FeedUid(a.Id, feed.Id)), a.Version, a.CreatedAt, a.UpdatedAt)));
    }
}
