using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.Appointments;
using Paliad.Application.Projects;
using Paliad.Domain.CalDav;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>The engine's hooks: what the outbox handlers call when appointments and bindings change.</summary>
public sealed partial class SyncEngine
{
    // ---- hooks --------------------------------------------------------------------------------------------------

    /// <summary>An appointment was created or changed: push it to every enabled binding (of any user) whose scope
    /// contains it, and take it out of those that hold it but no longer contain it. Each binding is best effort
    /// with CalDav:HookTimeoutSeconds; if any failed, this throws so the outbox retries (what succeeded is then
    /// "unchanged" and costs no request).</summary>
    public async Task PushAppointmentAsync(Guid appointmentId, CancellationToken cancellationToken)
    {
        var bindings = await ReadAsync(db => CandidateBindingsAsync(db, appointmentId, cancellationToken));
        await ForEachBindingAsync(bindings, bindingId => WithBindingAsync(bindingId, async (db, tick, binding, ct) =>
        {
            var appointment = await db.AppointmentInBinding(appointmentId, binding).SingleOrDefaultAsync(ct);
            var target = await db.AppointmentTargets.SingleOrDefaultAsync(t => t.AppointmentId == appointmentId && t.BindingId == binding.Id, ct);
            if (appointment is not null)
            {
                await tick.PushAsync(appointment, target, ct);
            }
            else if (target is not null)
            {
                await tick.DeleteStaleAsync(target, ct);
            }
        }, cancellationToken), cancellationToken);
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
                await WithBindingAsync(bindingId, (db, tick, binding, ct) => tick.DeleteCopiesAsync(copies, ct), cancellationToken);
            }
            else
            {
                // The binding is gone; its user's account still holds the credentials (none left: nothing can be done).
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(HookDeadline);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
                if (await ClientForUser(db, copies[0].UserId) is { } client)
                {
                    await BindingTick.DeleteCopiesAsync(client, copies, metrics, timeout.Token);
                }
            }
        }, cancellationToken, userOf: bindingId => events.First(e => e.BindingId == bindingId).UserId);
    }

    /// <summary>A binding now points at another calendar: its events leave the old one, then a tick fills the new one.</summary>
    public async Task MoveBindingCalendarAsync(Guid bindingId, CancellationToken cancellationToken)
    {
        await WithBindingAsync(bindingId, async (db, tick, binding, ct) =>
        {
            var newPath = Hrefs.AsCollection(Hrefs.Key(binding.CalendarPath));
            var elsewhere = await db.AppointmentTargets.Where(t => t.BindingId == binding.Id).ToListAsync(ct);
            foreach (var target in elsewhere.Where(t => !Hrefs.Key(t.CalDavHref).StartsWith(newPath, StringComparison.Ordinal)))
            {
                await tick.DeleteStaleAsync(target, ct);
            }
        }, cancellationToken);
        RequireDone(await SyncBindingAsync(bindingId, cancellationToken));
    }

    /// <summary>Bindings that may carry the appointment (of its owner or of members of its project's ancestors),
    /// plus those holding a copy of it; which of them really carry it is decided per binding under its lease.</summary>
    private static async Task<List<Guid>> CandidateBindingsAsync(PaliadDbContext db, Guid appointmentId, CancellationToken cancellationToken)
    {
        var appointment = await db.Appointments.AsNoTracking().Where(a => a.Id == appointmentId)
            .Select(a => new { a.OwnerId, a.ProjectId }).SingleOrDefaultAsync(cancellationToken);
        var holders = db.AppointmentTargets.Where(t => t.AppointmentId == appointmentId).Select(t => t.BindingId);
        List<Guid> userIds;
        if (appointment is null)
        {
            userIds = [];
        }
        else if (appointment.ProjectId is { } projectId)
        {
            var path = await db.Projects.Where(p => p.Id == projectId).Select(p => p.Path).SingleAsync(cancellationToken);
            userIds = await db.ProjectMembers
                .Join(db.Projects, m => m.ProjectId, a => a.Id, (m, a) => new { m.UserId, Root = a.Path, Path = path })
                .WhereInSubtree(x => x.Path, x => x.Root)
                .Select(x => x.UserId)
                .Distinct()
                .ToListAsync(cancellationToken);
        }
        else
        {
            userIds = [appointment.OwnerId];
        }

        return await db.CalendarBindings
            .Where(b => b.Enabled && (userIds.Contains(b.UserId) || holders.Contains(b.Id)))
            .Where(b => db.CalDavConfigs.Any(c => c.UserId == b.UserId && c.SyncEnabled))
            .Select(b => b.Id)
            .ToListAsync(cancellationToken);
    }
}
