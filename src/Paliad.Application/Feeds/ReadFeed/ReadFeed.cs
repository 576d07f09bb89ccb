using System.Security.Cryptography;
using System.Text;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Paliad.Application.Appointments;
using Paliad.Application.Common;
using Paliad.Domain.Appointments;
using Paliad.Domain.Feeds;

namespace Paliad.Application.Feeds.ReadFeed;

/// <summary>Renders a feed as iCalendar (the engine's mapper, through this port).</summary>
public interface IFeedRenderer
{
    /// <summary>One VCALENDAR: the feed's name, its refresh hints, a VEVENT per appointment (UIDs of the feed's own)
    /// and a VTIMEZONE per zone they use.</summary>
    string Render(CalendarFeed feed, IReadOnlyList<Appointment> appointments);
}

/// <summary>GET /feeds/{id}/{secret}.ics — no bearer: the URL is the credential. A wrong or revoked secret is
/// "not found", exactly like an unknown feed. The scope is evaluated as the owner sees it now, within the window
/// (Feeds:PastDays back, Feeds:FutureDays ahead). The ETag is the version of what the feed would say — the feed's
/// settings and the id and version of every appointment in it — so an unchanged feed answers 304 without being
/// rendered.</summary>
public sealed record ReadFeed(Guid FeedId, string Secret, string? IfNoneMatch) : IQuery<FeedAnswer>;

/// <summary>What a feed fetch answers: nothing (404), not modified (304, <see cref="ETag"/>), or the calendar.</summary>
public sealed record FeedAnswer(FeedAnswerKind Kind, string? ETag, DateTimeOffset? LastModified, string? Calendar)
{
    public static readonly FeedAnswer NotFound = new(FeedAnswerKind.NotFound, null, null, null);
}

public enum FeedAnswerKind
{
    NotFound,
    NotModified,
    Calendar,
}

public sealed class ReadFeedHandler(IPaliadDbContext db, IFeedRenderer renderer, TimeProvider clock, IOptions<FeedOptions> options)
    : IQueryHandler<ReadFeed, FeedAnswer>
{
    /// <summary>Bump when the rendering changes, so every client fetches the feed once more.</summary>
    private const string RenderingVersion = "paliad-feed-v1";

    public async ValueTask<FeedAnswer> Handle(ReadFeed query, CancellationToken cancellationToken)
    {
        var feed = await db.CalendarFeeds.AsNoTracking().SingleOrDefaultAsync(f => f.Id == query.FeedId, cancellationToken);
        if (feed is null || !FeedSecrets.Matches(query.Secret, feed.SecretHash))
        {
            return FeedAnswer.NotFound;
        }

        var now = clock.GetUtcNow();
        await RecordFetchAsync(feed, now, cancellationToken);
        var inWindow = InWindow(feed, now);
        var versions = await inWindow.OrderBy(a => a.Id).Select(a => new { a.Id, a.Version, a.UpdatedAt }).ToListAsync(cancellationToken);
        var etag = ETagOf(feed, versions.Select(v => (v.Id, v.Version)));
        var lastModified = versions.Select(v => v.UpdatedAt).Append(feed.UpdatedAt).Max();
        if (query.IfNoneMatch is { } asked && asked.Split(',').Select(t => t.Trim()).Any(t => t == etag || t == "*"))
        {
            return new FeedAnswer(FeedAnswerKind.NotModified, etag, lastModified, null);
        }

        var appointments = await inWindow.AsNoTracking().OrderBy(a => a.StartsAt).ThenBy(a => a.Id).ToListAsync(cancellationToken);
        return new FeedAnswer(FeedAnswerKind.Calendar, etag, lastModified, renderer.Render(feed, appointments));
    }

    private IQueryable<Appointment> InWindow(CalendarFeed feed, DateTimeOffset now)
    {
        var from = now.AddDays(-Math.Max(0, options.Value.PastDays));
        var to = now.AddDays(Math.Max(0, options.Value.FutureDays));
        return db.ForScope(feed.UserId, feed.Scope, feed.ScopeId).Where(a => a.EndsAt >= from && a.StartsAt <= to);
    }

    private static string ETagOf(CalendarFeed feed, IEnumerable<(Guid Id, int Version)> appointments)
    {
        var text = new StringBuilder(RenderingVersion).Append('|').Append(feed.DisplayName).Append('|').Append(feed.Scope).Append('|').Append(feed.ScopeId);
        foreach (var (id, version) in appointments)
        {
            text.Append('|').Append(id.ToString("N")).Append(':').Append(version);
        }

        return $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32]}\"";
    }

    /// <summary>lastFetchedAt, at most once a minute: a feed polled often writes no row each time.</summary>
    private async Task RecordFetchAsync(CalendarFeed feed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!feed.FetchIsWorthRecording(now))
        {
            return;
        }

        var since = now - CalendarFeed.FetchRecordInterval;
        await db.CalendarFeeds.Where(f => f.Id == feed.Id && (f.LastFetchedAt == null || f.LastFetchedAt <= since))
            .ExecuteUpdateAsync(set => set.SetProperty(f => f.LastFetchedAt, now), cancellationToken);
    }
}
