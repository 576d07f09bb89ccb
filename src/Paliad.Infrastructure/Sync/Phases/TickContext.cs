using Microsoft.Extensions.Logging;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Infrastructure.CalDav;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>
/// What every phase of one tick on one binding shares: the binding, its calendar (the port), Paliad's side of it (the
/// copy book), the tally, the clock and the lease. A problem with one resource is noted and the tick goes on
/// (<see cref="GuardedAsync"/>); a failure of the whole server or account ends the tick.
/// </summary>
internal sealed class TickContext(
    CalendarBinding binding,
    IRemoteCalendar calendar,
    ICopyBook book,
    TimeProvider clock,
    SyncOptions options,
    TickTally tally,
    ILogger logger,
    Func<Task> renewLease)
{
    private static readonly Action<ILogger, Guid, Guid, string, Exception?> LogResourceProblem = LoggerMessage.Define<Guid, Guid, string>(
        LogLevel.Warning, new EventId(1, "ResourceProblem"), "Binding {BindingId}: appointment {AppointmentId} not synced this tick: {Problem}");

    private static readonly Action<ILogger, Guid, string, string, Exception?> LogMalformedEvent = LoggerMessage.Define<Guid, string, string>(
        LogLevel.Warning, new EventId(2, "MalformedEvent"), "Binding {BindingId}: skipped malformed iCalendar at {Href}: {Error}");

    private DateTimeOffset _lastRenewal = clock.GetUtcNow();

    public CalendarBinding Binding => binding;

    public IRemoteCalendar Calendar => calendar;

    public ICopyBook Book => book;

    public SyncOptions Options => options;

    public TickTally Tally => tally;

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>Runs one resource's work; a problem with that resource alone (a conflict that could not be resolved,
    /// an unreadable answer, a concurrent edit) is noted and the tick goes on. Server-wide failures propagate.</summary>
    /// <remarks><paramref name="keepOthersPending"/>: the work changes tracked state only after its last request
    /// succeeded (the pull's reconcile and restore), so a failure leaves nothing of its own to discard, and the other
    /// resources' unsaved changes — recorded together later — stay.</remarks>
    public async Task GuardedAsync(Guid appointmentId, Func<Task> work, bool keepOthersPending = false)
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
                await book.DiscardAsync();
            }
        }
    }

    /// <summary>A failure that concerns one resource (a conflict that would not resolve, an unreadable answer, a
    /// concurrent edit), as opposed to one of the whole server or account, which ends the tick.</summary>
    public static bool IsResourceProblem(Exception e)
        => e is CalDavConflictException or CalDavNotFoundException or CalDavInvalidResponseException
            or CalDavForbiddenException or CopyBookRefusedException or DomainException;

    public void NoteProblem(Guid appointmentId, Exception e)
    {
        tally.Problem($"{appointmentId}: {e.Message}");
        LogResourceProblem(logger, binding.Id, appointmentId, e.Message, null);
    }

    public void NoteMalformed(string href, string error) => LogMalformedEvent(logger, binding.Id, href, error, null);

    /// <summary>Renews the binding's lease by time, not per resource, so a tick with nothing to do costs no extra SQL.</summary>
    public async Task RenewLeaseIfDueAsync()
    {
        if (clock.GetUtcNow() - _lastRenewal > TimeSpan.FromSeconds(options.LeaseSeconds) / 3)
        {
            _lastRenewal = clock.GetUtcNow();
            await renewLease();
        }
    }
}
