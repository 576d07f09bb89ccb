using Microsoft.EntityFrameworkCore;
using Paliad.Application.Appointments;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>What a tick has to write into its calendar: appointments in scope without a copy or changed since their
/// copy was synced, and copies whose appointment left the scope.</summary>
internal sealed record PushWork(IReadOnlyList<PushWork.Item> ToPush, IReadOnlyList<AppointmentTarget> Stale)
{
    public static readonly PushWork None = new([], []);

    public sealed record Item(Appointment Appointment, AppointmentTarget? Target);
}

/// <summary>
/// Finds what a binding's calendar lacks, in SQL, by version: a copy is current when its synced version is the
/// appointment's. Usually only appointments changed since <see cref="CalendarBinding.PushedThrough"/> are looked at
/// (an index range on appointments.updated_at, so the cost grows with what changed, not with the calendar); the whole
/// scope is looked at when that mark is unknown (new binding, new scope or calendar, membership changed) and at every
/// full reconciliation, the one place that reads everything.
/// </summary>
internal static class ChangeDetection
{
    /// <summary>Whether a binding (of this user, with this scope) whose mark is <paramref name="since"/> has anything to
    /// push: one EXISTS, meant to be asked in the same query that loads the binding.</summary>
    public static IQueryable<bool> AnythingSince(PaliadDbContext db, Guid bindingId, Guid userId, BindingScope scope, Guid? scopeId, DateTimeOffset since)
        => ChangedSince(db, bindingId, db.ForScope(userId, scope, scopeId), since).Select(_ => true);

    /// <summary>The appointments changed since the binding's mark that it must write: pushes and removals.</summary>
    public static async Task<PushWork> SinceAsync(PaliadDbContext db, CalendarBinding binding, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var carried = db.ForBinding(binding);
        var rows = await ChangedSince(db, binding.Id, carried, since).ToListAsync(cancellationToken);
        return new PushWork(
            rows.Where(r => r.Carried).Select(r => new PushWork.Item(r.Appointment, r.Target)).ToList(),
            rows.Where(r => !r.Carried && r.Target is not null).Select(r => r.Target!).ToList());
    }

    /// <summary>The whole scope: every appointment without a current copy, every copy whose appointment left.</summary>
    public static async Task<PushWork> WholeScopeAsync(PaliadDbContext db, CalendarBinding binding, CancellationToken cancellationToken)
    {
        var toPush = await (
                from a in db.ForBinding(binding)
                join t in db.AppointmentTargets.Where(t => t.BindingId == binding.Id) on a.Id equals t.AppointmentId into copies
                from t in copies.DefaultIfEmpty()
                where t == null || t.SyncedVersion == null || t.SyncedVersion != a.Version
                select new PushWork.Item(a, t))
            .ToListAsync(cancellationToken);
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

    private static IQueryable<Changed> ChangedSince(PaliadDbContext db, Guid bindingId, IQueryable<Appointment> carried, DateTimeOffset since)
        => from a in db.Appointments
           where a.UpdatedAt >= since
           join t in db.AppointmentTargets.Where(t => t.BindingId == bindingId) on a.Id equals t.AppointmentId into copies
           from t in copies.DefaultIfEmpty()
           let inScope = carried.Any(c => c.Id == a.Id)
           where (inScope && (t == null || t.SyncedVersion == null || t.SyncedVersion != a.Version)) || (!inScope && t != null)
           select new Changed { Appointment = a, Target = t, Carried = inScope };

    private sealed class Changed
    {
        public required Appointment Appointment { get; init; }

        public AppointmentTarget? Target { get; init; }

        public bool Carried { get; init; }
    }
}
