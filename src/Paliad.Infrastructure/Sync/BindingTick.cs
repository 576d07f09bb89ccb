using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>
/// The work on one binding's calendar, in one DbContext: push what changed, delete what left the scope, pull what
/// changed on the server, and reconcile by per-target ETag. Every PUT and DELETE is recorded in the database right
/// after it succeeds — with no cancellation token, so a deadline that fires just after a write cannot drop its
/// record — and UIDs and hrefs are derived from ids, so an interrupted tick leaves nothing the next one does not
/// converge and never a duplicate.
/// </summary>
/// <summary>How a tick finds what to push: the whole scope, appointments changed since the push mark, or nothing
/// (the query that loaded the binding found no change).</summary>
internal enum PushDetection
{
    WholeScope,
    SincePushMark,
    NothingChanged,
}

internal sealed partial class BindingTick(
    PaliadDbContext db,
    CalDavClient client,
    CalendarBinding binding,
    TimeProvider clock,
    SyncOptions options,
    SyncMetrics metrics,
    ILogger logger,
    Func<Task> renewLease,
    int pushConcurrency = 1)
{
    private readonly List<string> _problems = [];
    private DateTimeOffset _lastRenewal = clock.GetUtcNow();

    public int Pushed { get; private set; }

    public int Updated { get; private set; }

    public int Deleted { get; private set; }

    public int Pulled { get; private set; }

    public int Conflicts { get; private set; }

    public int Restored { get; private set; }

    /// <summary>Per-resource problems (the tick went on without them): the tick is then "partial".</summary>
    public IReadOnlyList<string> Problems => _problems;

    public SyncCounts Counts => new(Pushed, Updated, Deleted, Pulled, Conflicts, Restored);

    /// <summary>Appointments whose copy this tick wrote or learned a new ETag of (for the legacy mirror).</summary>
    public IReadOnlyCollection<Guid> Touched => _touched;

    private readonly HashSet<Guid> _touched = [];

    // ---- the whole tick ---------------------------------------------------------------------------------------------

    /// <summary>True after a tick whose push phase wrote everything it found (no problem, not cut off): the binding's
    /// push mark may then move.</summary>
    public bool PushedEverything { get; private set; }

    public async Task RunAsync(PushDetection detection, CancellationToken cancellationToken)
    {
        // What to push is found in SQL, by version (ChangeDetection); a tick with nothing to push loads no appointment
        // and no target.
        var work = detection switch
        {
            PushDetection.WholeScope => await ChangeDetection.WholeScopeAsync(db, binding, cancellationToken),
            PushDetection.SincePushMark when binding.PushedThrough is { } since => await ChangeDetection.SinceAsync(db, binding, since, cancellationToken),
            PushDetection.SincePushMark => await ChangeDetection.WholeScopeAsync(db, binding, cancellationToken),
            _ => PushWork.None,
        };

        await PushAllAsync(work.ToPush.OrderBy(p => p.Appointment.StartsAt), cancellationToken);

        foreach (var target in work.Stale)
        {
            await Guarded(target.AppointmentId, () => DeleteStaleAsync(target, cancellationToken));
        }

        PushedEverything = _problems.Count == 0 && !cancellationToken.IsCancellationRequested;
        await PullAsync(cancellationToken);
    }

    /// <summary>Runs one resource's work; a problem with that resource alone (a conflict that could not be resolved,
    /// an unreadable answer, a concurrent edit) is noted and the tick goes on. Server-wide failures propagate.</summary>
    /// <remarks><paramref name="keepOthersPending"/>: the work changes tracked state only after its last request
    /// succeeded (the pull's reconcile and restore), so a failure leaves nothing of its own to discard, and the other
    /// resources' unsaved changes — recorded together later — stay.</remarks>
    private async Task Guarded(Guid appointmentId, Func<Task> work, bool keepOthersPending = false)
    {
        await RenewLeaseIfDueAsync();

        try
        {
            await work();
        }
        catch (Exception e) when (IsResourceProblem(e))
        {
            NoteProblem(appointmentId, e);
            if (!keepOthersPending)
            {
                await DiscardPendingChangesAsync();
            }
        }
    }

    /// <summary>A failure that concerns one resource (a conflict that would not resolve, an unreadable answer, a
    /// concurrent edit), as opposed to one of the whole server or account, which ends the tick.</summary>
    private static bool IsResourceProblem(Exception e)
        => e is CalDavConflictException or CalDavNotFoundException or CalDavInvalidResponseException
            or CalDavForbiddenException or DbUpdateException or DomainException;

    private void NoteProblem(Guid appointmentId, Exception e)
    {
        _problems.Add($"{appointmentId}: {e.Message}");
        LogResourceProblem(logger, binding.Id, appointmentId, e.Message);
    }

    /// <summary>Renews the binding's lease by time, not per resource, so a tick with nothing to do costs no extra SQL.</summary>
    private async Task RenewLeaseIfDueAsync()
    {
        if (clock.GetUtcNow() - _lastRenewal > TimeSpan.FromSeconds(options.LeaseSeconds) / 3)
        {
            _lastRenewal = clock.GetUtcNow();
            await renewLease();
        }
    }

    /// <summary>Forgets what the failed resource left unsaved, so the next SaveChanges does not retry it.</summary>
    private async Task DiscardPendingChangesAsync()
    {
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State is not (EntityState.Unchanged or EntityState.Detached)).ToList())
        {
            if (entry.State == EntityState.Added)
            {
                entry.State = EntityState.Detached;
            }
            else
            {
                await entry.ReloadAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binding {BindingId}: skipped malformed iCalendar at {Href}: {Error}")]
    private static partial void LogMalformed(ILogger logger, Guid bindingId, string href, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Binding {BindingId}: appointment {AppointmentId} not synced this tick: {Problem}")]
    private static partial void LogResourceProblem(ILogger logger, Guid bindingId, Guid appointmentId, string problem);
}
