using Paliad.Application.Feeds.ReadFeed;
using Paliad.Domain.Appointments;
using Paliad.Domain.Feeds;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Feeds;

/// <summary>A feed through the engine's mapper: the same event content the engine writes into calendars, under UIDs
/// of the feed's own (<c>paliad-feed-…</c>), so a client that also holds the CalDAV copy sees two events, not a clash.</summary>
internal sealed class FeedRenderer : IFeedRenderer
{
    /// <summary>What clients are told about refreshing (Outlook and Google refresh on their own schedule anyway).</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromMinutes(15);

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
