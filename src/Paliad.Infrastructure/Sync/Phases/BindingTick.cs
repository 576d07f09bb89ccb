using Microsoft.Extensions.Logging;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>
/// The work on one binding's calendar, put together from its phases: push what changed, remove what left the scope,
/// pull what changed on the server. Every PUT and DELETE is recorded right after it succeeds — whatever the deadline,
/// so a deadline that fires just after a write cannot drop its record — and UIDs and hrefs are derived from ids, so an
/// interrupted tick leaves nothing the next one does not converge and never a duplicate. Hooks use the same phases
/// for the few appointments or events they concern.
/// </summary>
internal sealed class BindingTick
{
    private readonly ICopyBook _book;
    private readonly PushPhase _push;
    private readonly RemovalPhase _removal;
    private readonly PullPhase _pull;

    public BindingTick(
        CalendarBinding binding, IRemoteCalendar calendar, ICopyBook book, TickSettings settings, ILogger logger, Func<Task> renewLease)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _book = book;
        Tally = new TickTally(settings.Metrics);
        var context = new TickContext(binding, calendar, book, settings.Clock, settings.Options, Tally, logger, renewLease);
        var writer = new CopyWriter(context);
        var edits = new RemoteEdits(context);
        _push = new PushPhase(context, writer, settings.PushConcurrency);
        _removal = new RemovalPhase(context, writer, edits);
        _pull = new PullPhase(context, writer, edits);
    }

    public TickTally Tally { get; }

    /// <summary>True after a tick whose push phase wrote everything it found (no problem, not cut off): the binding's
    /// push mark may then move.</summary>
    public bool PushedEverything { get; private set; }

    /// <summary>A whole tick: push (what <paramref name="detection"/> finds), removal of stale copies, pull.</summary>
    public async Task RunAsync(PushDetection detection, CancellationToken cancellationToken)
    {
        // What to push is found in SQL, by version; a tick with nothing to push loads no appointment and no copy.
        var work = await _book.PushWorkAsync(detection, cancellationToken);
        await _push.RunAsync(work.ToPush, cancellationToken);
        await _removal.RunAsync(work.Stale, cancellationToken);
        PushedEverything = Tally.Problems.Count == 0 && !cancellationToken.IsCancellationRequested;
        await _pull.RunAsync(cancellationToken);
    }

    /// <summary>Pushes these appointments where the binding carries them and removes their copies where it no longer
    /// does (a hook's work after appointments changed).</summary>
    public async Task PushAppointmentsAsync(IReadOnlyCollection<Guid> appointmentIds, CancellationToken cancellationToken)
    {
        var work = await _book.PushWorkForAsync(appointmentIds, cancellationToken);
        await _push.RunAsync(work.ToPush, cancellationToken);
        await _removal.RunAsync(work.Stale, cancellationToken);
    }

    /// <summary>Removes events the outbox names by href (a deleted appointment's copies).</summary>
    public Task RemoveEventsAsync(IReadOnlyCollection<RemoteEventLocation> events, CancellationToken cancellationToken)
        => _removal.RemoveEventsAsync(events, cancellationToken);

    /// <summary>The binding points at another calendar now: its copies elsewhere leave the calendars they are in.
    /// <paramref name="calendarPath"/> is the binding's, stored in <see cref="CalendarCollectionPath"/>'s one form
    /// (decoded, one trailing slash), so a copy's decoded href is in it exactly when it starts with it.</summary>
    public async Task LeaveOtherCalendarsAsync(string calendarPath, CancellationToken cancellationToken)
    {
        var copies = await _book.CopiesAsync(cancellationToken);
        await _removal.RunAsync(copies.Where(t => !Hrefs.Key(t.CalDavHref).StartsWith(calendarPath, StringComparison.Ordinal)), cancellationToken);
    }
}

/// <summary>What every tick of this process is set up with.</summary>
internal sealed record TickSettings(TimeProvider Clock, SyncOptions Options, SyncMetrics Metrics, int PushConcurrency);
