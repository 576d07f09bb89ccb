using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.Projects;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.Infrastructure.Sync;

/// <summary>The engine's hooks: what the outbox handlers call when appointments and bindings change.</summary>
public sealed partial class SyncEngine
{
    // ---- hooks --------------------------------------------------------------------------------------------------

    /// <summary>An appointment was created or changed: push it to every enabled binding (of any user) whose scope
    /// contains it, and take it out of those that hold it but no longer contain it. Each binding is best effort
    /// with CalDav:HookTimeoutSeconds; if any failed, this throws so the outbox retries (what succeeded is then
    /// "unchanged" and costs no request).</summary>
    public Task PushAppointmentAsync(Guid appointmentId, CancellationToken cancellationToken)
        => PushAppointmentsAsync([appointmentId], exceptBindingId: null, cancellationToken);

    /// <summary>The same for many appointments at once (the edits one tick pulled): one claim per binding, the
    /// pushes concurrent and their bookkeeping batched. <paramref name="exceptBindingId"/>: the binding they came
    /// from, which already holds them.</summary>
    public async Task PushAppointmentsAsync(IReadOnlyCollection<Guid> appointmentIds, Guid? exceptBindingId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appointmentIds);
        var ids = appointmentIds.Distinct().ToList();
        var bindings = await ReadAsync(db => CandidateBindingsAsync(db, ids, cancellationToken));
        bindings.RemoveAll(id => id == exceptBindingId);
        await ForEachBindingAsync(bindings, bindingId => WithBindingAsync(bindingId, (db, tick, binding, ct) => tick.PushAppointmentsAsync(ids, ct), cancellationToken),
            cancellationToken);
    }

    /// <summary>Removes events from calendars by href (a deleted appointment's or binding's copies). Bindings that
    /// still exist are worked on under their lease; a deleted binding's copies are removed with its user's account.</summary>
    public async Task DeleteRemoteEventsAsync(IReadOnlyList<RemoteEventLocation> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        await ForEachBindingAsync(events.Select(e => e.BindingId).Distinct().ToList(), async bindingId =>
        {
            var copies = events.Where(e => e.BindingId == bindingId).ToList();
            var exists = await ReadAsync(db => db.CalendarBindings.AnyAsync(b => b.Id == bindingId, cancellationToken));
            if (exists)
            {
                await WithBindingAsync(bindingId, (db, tick, binding, ct) => tick.RemoveEventsAsync(copies, ct), cancellationToken);
            }
            else
            {
                // The binding is gone; its user's account still holds the credentials (none left: nothing can be done).
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(HookDeadline);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
                if (await ClientForUserAsync(db, copies[0].UserId, timeout.Token) is { } client)
                {
                    foreach (var copy in copies)
                    {
                        await CopyWriter.DeleteEventAsync(new CalDavCalendar(client, copy.Href), copy.Href, copy.Etag, timeout.Token);
                        metrics.Deletes.Add(1);
                    }
                }
            }
        }, cancellationToken, userOf: bindingId => events.First(e => e.BindingId == bindingId).UserId);
    }

    /// <summary>A binding now points at another calendar: its events leave the old one, then a tick fills the new one.</summary>
    public async Task MoveBindingCalendarAsync(Guid bindingId, CancellationToken cancellationToken)
    {
        await WithBindingAsync(bindingId, (db, tick, binding, ct) => tick.LeaveOtherCalendarsAsync(binding.CalendarPath, ct), cancellationToken);
        RequireDone(await SyncBindingAsync(bindingId, cancellationToken));
    }

    /// <summary>Bindings that may carry the appointments (of their owners or of members of their projects'
    /// ancestors), plus those holding a copy; which of them really carry which is decided per binding under its lease.</summary>
    private static async Task<List<Guid>> CandidateBindingsAsync(PaliadDbContext db, IReadOnlyList<Guid> appointmentIds, CancellationToken cancellationToken)
    {
        var appointments = await db.Appointments.AsNoTracking().Where(a => appointmentIds.Contains(a.Id))
            .Select(a => new { a.OwnerId, a.ProjectId }).ToListAsync(cancellationToken);
        var holders = db.AppointmentTargets.Where(t => appointmentIds.Contains(t.AppointmentId)).Select(t => t.BindingId);
        var userIds = appointments.Where(a => a.ProjectId is null).Select(a => a.OwnerId).ToHashSet();
        var projectIds = appointments.Where(a => a.ProjectId is not null).Select(a => a.ProjectId!.Value).Distinct().ToList();
        foreach (var path in await db.Projects.Where(p => projectIds.Contains(p.Id)).Select(p => p.Path).ToListAsync(cancellationToken))
        {
            userIds.UnionWith(await db.ProjectMembers
                .Join(db.Projects, m => m.ProjectId, a => a.Id, (m, a) => new { m.UserId, Root = a.Path, Path = path })
                .WhereInSubtree(x => x.Path, x => x.Root)
                .Select(x => x.UserId)
                .Distinct()
                .ToListAsync(cancellationToken));
        }

        return await db.CalendarBindings
            .Where(b => b.Enabled && (userIds.Contains(b.UserId) || holders.Contains(b.Id)))
            .Where(b => db.CalDavConfigs.Any(c => c.UserId == b.UserId && c.SyncEnabled))
            .Select(b => b.Id)
            .ToListAsync(cancellationToken);
    }
}
