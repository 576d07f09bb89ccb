using Microsoft.EntityFrameworkCore;
using Paliad.Application.Appointments;
using Paliad.Application.Projects;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Projects;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>The copy book over the database: one DbContext, its change tracker the unit of work.</summary>
internal sealed class DatabaseCopyBook(PaliadDbContext db, CalendarBinding binding) : ICopyBook
{
    public Task<PushWork> PushWorkAsync(PushDetection detection, CancellationToken cancellationToken)
        => ChangeDetection.FindAsync(db, binding, detection, cancellationToken);

    public async Task<PushWork> PushWorkForAsync(IReadOnlyCollection<Guid> appointmentIds, CancellationToken cancellationToken)
    {
        var carried = await db.ForBinding(binding).Where(a => appointmentIds.Contains(a.Id)).ToListAsync(cancellationToken);
        var copies = await db.AppointmentTargets.Where(t => t.BindingId == binding.Id && appointmentIds.Contains(t.AppointmentId))
            .ToDictionaryAsync(t => t.AppointmentId, cancellationToken);
        var carriedIds = carried.Select(a => a.Id).ToHashSet();
        return new PushWork(
            carried.ConvertAll(a => new PushWork.Item(a, copies.GetValueOrDefault(a.Id))),
            copies.Values.Where(t => !carriedIds.Contains(t.AppointmentId)).ToList());
    }

    public async Task<IReadOnlyList<AppointmentTarget>> CopiesAsync(CancellationToken cancellationToken)
        => await db.AppointmentTargets.Where(t => t.BindingId == binding.Id).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<CopyEtag>> CopyEtagsAsync(CancellationToken cancellationToken)
        => await (
                from t in db.AppointmentTargets.AsNoTracking()
                where t.BindingId == binding.Id
                join a in db.ForBinding(binding) on t.AppointmentId equals a.Id
                select new CopyEtag(t.Id, t.CalDavHref, t.CalDavEtag))
            .ToListAsync(cancellationToken);

    public Task<IReadOnlyList<CarriedCopy>> CarriedCopiesAsync(IReadOnlyCollection<Guid> copyIds, CancellationToken cancellationToken)
        => CarriedAsync(copyIds.Count, db.AppointmentTargets.Where(t => copyIds.Contains(t.Id)), cancellationToken);

    public Task<IReadOnlyList<CarriedCopy>> CarriedCopiesByUidAsync(IReadOnlyCollection<string> uids, CancellationToken cancellationToken)
        => CarriedAsync(uids.Count, db.AppointmentTargets.Where(t => uids.Contains(t.CalDavUid)), cancellationToken);

    /// <summary>These copies of the binding with their appointments, where the binding still carries them (none asked
    /// for: no query).</summary>
    private async Task<IReadOnlyList<CarriedCopy>> CarriedAsync(int asked, IQueryable<AppointmentTarget> copies, CancellationToken cancellationToken)
        => asked == 0
            ? []
            : await (
                    from t in copies
                    where t.BindingId == binding.Id
                    join a in db.ForBinding(binding) on t.AppointmentId equals a.Id
                    select new CarriedCopy(t, a))
                .ToListAsync(cancellationToken);

    public Task<int> CountCopiesAsync(CancellationToken cancellationToken)
        => db.AppointmentTargets.CountAsync(t => t.BindingId == binding.Id, cancellationToken);

    public Task<Appointment?> FindAppointmentAsync(Guid appointmentId, CancellationToken cancellationToken)
        => db.Appointments.SingleOrDefaultAsync(a => a.Id == appointmentId, cancellationToken);

    public Task<ProjectRole?> UserRoleOnProjectAsync(Guid projectId, CancellationToken cancellationToken)
        => db.EffectiveRoleAsync(binding.UserId, projectId, cancellationToken);

    public void AddCopy(AppointmentTarget copy) => db.AppointmentTargets.Add(copy);

    public void RemoveCopy(AppointmentTarget copy) => db.AppointmentTargets.Remove(copy);

    public bool HasChanges => db.ChangeTracker.HasChanges();

    public async Task SaveAsync()
    {
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateException e)
        {
            throw new CopyBookRefusedException(e.InnerException?.Message ?? e.Message, e);
        }
    }

    public async Task DiscardAsync()
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
}
