using Microsoft.EntityFrameworkCore;
using Paliad.Application.Appointments;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>How a tick finds what to push: the whole scope, appointments changed since the push mark, or nothing
/// (the query that loaded the binding found no change).</summary>
internal enum PushDetection
{
    WholeScope,
    SincePushMark,
    NothingChanged,
}

/// <summary>What a tick has to write into its calendar: appointments in scope without a copy or changed since their
/// copy was synced, and copies whose appointment left the scope.</summary>
internal sealed record PushWork(IReadOnlyList<PushWork.Item> ToPush, IReadOnlyList<AppointmentTarget> Stale)
{
    public static readonly PushWork None = new([], []);

    public sealed record Item(Appointment Appointment, AppointmentTarget? Target);
}

/// <summary>
/// Finds what a binding's calendar lacks, in SQL, by version: a copy is current when its synced version is the
/// appointment's. Usually only the scope's appointments changed since <see cref="CalendarBinding.PushedThrough"/> are
/// looked at (ranges on the (owner, updated_at) and (project, updated_at) indexes, so the cost grows with what changed
/// in the scope, not with the calendar or with other users' changes); the whole
/// scope is looked at when that mark is unknown (new binding, new scope or calendar, membership changed) and at every
/// full reconciliation, the one place that reads everything.
/// </summary>
internal static class ChangeDetection
{
    /// <summary>Whether a binding (of this user, with this scope) whose mark is <paramref name="since"/> has anything to
    /// push: one EXISTS, meant to be asked in the same query that loads the binding.</summary>
    public static IQueryable<bool> AnythingSince(PaliadDbContext db, Guid bindingId, Guid userId, BindingScope scope, Guid? scopeId, DateTimeOffset since)
        => NotCurrent(db, bindingId, db.ChangedInScope(userId, scope, scopeId, since)).Select(_ => true);

    public static async Task<PushWork> FindAsync(PaliadDbContext db, CalendarBinding binding, PushDetection detection, CancellationToken cancellationToken)
        => detection switch
        {
            PushDetection.WholeScope => await WholeScopeAsync(db, binding, cancellationToken),
            PushDetection.SincePushMark when binding.PushedThrough is { } since => await SinceAsync(db, binding, since, cancellationToken),
            PushDetection.SincePushMark => await WholeScopeAsync(db, binding, cancellationToken),
            _ => PushWork.None,
        };

    /// <summary>The appointments of the scope changed since the binding's mark whose copy is missing or older. What
    /// left the scope is not looked for here (it did not necessarily change): the hooks remove it when it leaves, and
    /// a full reconciliation finds whatever they missed.</summary>
    private static async Task<PushWork> SinceAsync(PaliadDbContext db, CalendarBinding binding, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var toPush = await NotCurrent(db, binding.Id, db.ChangedInScope(binding.UserId, binding.Scope, binding.ScopeId, since)).ToListAsync(cancellationToken);
        return new PushWork(toPush, []);
    }

    /// <summary>The whole scope: every appointment without a current copy, every copy whose appointment left.</summary>
    private static async Task<PushWork> WholeScopeAsync(PaliadDbContext db, CalendarBinding binding, CancellationToken cancellationToken)
    {
        var toPush = await NotCurrent(db, binding.Id, db.ForBinding(binding)).ToListAsync(cancellationToken);
        var stale = await db.AppointmentTargets
            .Where(t => t.BindingId == binding.Id && !db.ForBinding(binding).Any(a => a.Id == t.AppointmentId))
            .ToListAsync(cancellationToken);
        return new PushWork(toPush, stale);
    }

    /// <summary>Asks every binding of the user to look at its whole scope next tick (a project was shared with or
    /// taken from the user: appointments entered or left the scope without changing). A tick running meanwhile does
    /// not move the mark afterwards (it sees the request count grow).</summary>
    public static Task<int> RequestFullScanAsync(PaliadDbContext db, Guid userId, CancellationToken cancellationToken)
        => db.Database.ExecuteSqlAsync($"""
            UPDATE paliad.calendar_bindings SET pushed_through = NULL, full_scans_requested = full_scans_requested + 1
            WHERE user_id = {userId}
            """, cancellationToken);

    /// <summary>Of these appointments, those whose copy in the binding's calendar is missing or not at their version.</summary>
    private static IQueryable<PushWork.Item> NotCurrent(PaliadDbContext db, Guid bindingId, IQueryable<Appointment> appointments)
        => from a in appointments
           join t in db.AppointmentTargets.Where(t => t.BindingId == bindingId) on a.Id equals t.AppointmentId into copies
           from t in copies.DefaultIfEmpty()
           where t == null || t.SyncedVersion == null || t.SyncedVersion != a.Version
           select new PushWork.Item(a, t);
}
