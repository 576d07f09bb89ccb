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

    /// <summary>The calendar rendered earlier for this version of a feed, if it is still held.</summary>
    bool TryGetRendered(string etag, out string calendar);

    /// <summary>Keeps a rendered version for the next fetch of an unchanged feed (bounded; the oldest go first).</summary>
    void KeepRendered(string etag, string calendar);
}

/// <summary>GET /feeds/{id}/{secret}.ics — no bearer: the URL is the credential. A wrong or revoked secret is
/// "not found", exactly like an unknown feed. The scope is evaluated as the owner sees it now, within the window
/// (Feeds:PastDays back, Feeds:FutureDays ahead). The ETag is the version of what the feed would say — the feed's
/// settings and the id and version of every appointment in it — so an unchanged feed answers 304 without being
/// rendered.</summary>
public sealed record ReadFeed(Guid FeedId, string Secret, string? IfNoneMatch, DateTimeOffset? IfModifiedSince = null) : IQuery<FeedAnswer>;

/// <summary>What a feed fetch answers: nothing (404), too many fetches (429, <see cref="RetryAfter"/>), not modified
/// (304, <see cref="ETag"/>), or the calendar.</summary>
public sealed record FeedAnswer(FeedAnswerKind Kind, string? ETag, DateTimeOffset? LastModified, string? Calendar, TimeSpan? RetryAfter = null)
{
    public static readonly FeedAnswer NotFound = new(FeedAnswerKind.NotFound, null, null, null);

    public static FeedAnswer TooMany(TimeSpan retryAfter) => new(FeedAnswerKind.TooManyFetches, null, null, null, retryAfter);
}

public enum FeedAnswerKind
{
    NotFound,
    TooManyFetches,
    NotModified,
    Calendar,
}

public sealed class ReadFeedHandler(IPaliadDbContext db, IFeedRenderer renderer, IFeedFetchLimits limits, TimeProvider clock, IOptions<FeedOptions> options)
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

        if (!limits.TryAdmit(feed.Id, out var retryAfter))
        {
            return FeedAnswer.TooMany(retryAfter);
        }

        var now = clock.GetUtcNow();
        await RecordFetchAsync(feed, now, cancellationToken);
        var inWindow = InWindow(feed, now);
        var versions = await inWindow.Select(a => new { a.Id, a.Version }).ToListAsync(cancellationToken);
        var etag = ETagOf(feed, versions.Select(v => (v.Id, v.Version)));
        DateTimeOffset? lastModified = await LastModifiedAsync(feed, etag, now, cancellationToken);

        // RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only without it.
        var unchanged = query.IfNoneMatch is not null
            ? ETags.NoneMatch(query.IfNoneMatch, etag)
            : query.IfModifiedSince is { } since && lastModified <= since;
        if (unchanged)
        {
            return new FeedAnswer(FeedAnswerKind.NotModified, etag, lastModified, null);
        }

        // A client that does not send If-None-Match (or lost its copy) gets the version rendered before, if held.
        if (!renderer.TryGetRendered(etag, out var calendar))
        {
            // Loaded by a second statement: what it reads may differ from what the tag was made of (an appointment
            // shared, unshared or changed in between), so the rendering is tagged by what it was rendered from — never a
            // copy kept under a tag its rows did not produce.
            var appointments = await inWindow.AsNoTracking().OrderBy(a => a.StartsAt).ThenBy(a => a.Id).ToListAsync(cancellationToken);
            var renderedTag = ETagOf(feed, appointments.Select(a => (a.Id, a.Version)));
            if (renderedTag != etag)
            {
                etag = renderedTag;
                lastModified = await LastModifiedAsync(feed, etag, now, cancellationToken);
            }

            calendar = renderer.Render(feed, appointments);
            renderer.KeepRendered(etag, calendar);
        }

        return new FeedAnswer(FeedAnswerKind.Calendar, etag, lastModified, calendar);
    }

    /// <summary>Since when the feed says this version: stored with the version, so all instances agree, and always a
    /// second later than the version before — an If-Modified-Since of the old one never matches the new one.</summary>
    private async Task<DateTimeOffset?> LastModifiedAsync(CalendarFeed feed, string etag, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (feed.ContentVersion == etag && feed.ContentChangedAt is { } known)
        {
            return known;
        }

        var changedAt = Seconds(now);
        if (feed.ContentChangedAt is { } previous && changedAt <= previous)
        {
            changedAt = previous.AddSeconds(1);
        }

        var seen = feed.ContentVersion;
        var stored = await db.CalendarFeeds.Where(f => f.Id == feed.Id && f.ContentVersion == seen)
            .ExecuteUpdateAsync(set => set.SetProperty(f => f.ContentVersion, etag).SetProperty(f => f.ContentChangedAt, changedAt), cancellationToken);
        if (stored == 0)
        {
            // Another fetch recorded a version meanwhile: take its time if it is this version.
            var current = await db.CalendarFeeds.AsNoTracking().Where(f => f.Id == feed.Id).Select(f => new { f.ContentVersion, f.ContentChangedAt }).SingleOrDefaultAsync(cancellationToken);
            // Theirs if it is this version; otherwise no Last-Modified at all rather than a time never stored, which a
            // later stored version could precede (If-Modified-Since would then hide a change).
            return current is { ContentChangedAt: { } theirs } && current.ContentVersion == etag ? theirs : null;
        }

        return changedAt;
    }

    private static DateTimeOffset Seconds(DateTimeOffset instant) => new(instant.Ticks - (instant.Ticks % TimeSpan.TicksPerSecond), instant.Offset);

    private IQueryable<Appointment> InWindow(CalendarFeed feed, DateTimeOffset now)
    {
        var from = now.AddDays(-Math.Max(0, options.Value.PastDays));
        var to = now.AddDays(Math.Max(0, options.Value.FutureDays));
        return db.ForScope(feed.UserId, feed.Scope, feed.ScopeId).Where(a => a.EndsAt >= from && a.StartsAt <= to);
    }

    private static string ETagOf(CalendarFeed feed, IEnumerable<(Guid Id, int Version)> appointments)
    {
        var text = new StringBuilder(RenderingVersion).Append('|').Append(feed.Id.ToString("N")).Append('|').Append(feed.DisplayName).Append('|').Append(feed.Scope).Append('|').Append(feed.ScopeId);
        // In one order whatever order the rows came in (the database's uuid order is not .NET's).
        foreach (var (id, version) in appointments.OrderBy(a => a.Id.ToString("N"), StringComparer.Ordinal))
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
