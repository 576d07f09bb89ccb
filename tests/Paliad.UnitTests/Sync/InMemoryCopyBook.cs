using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;
using Paliad.Infrastructure.Sync;
using Paliad.Infrastructure.Sync.Phases;

namespace Paliad.UnitTests.Sync;

/// <summary>
/// Paliad's side of one binding in memory: the appointments its scope carries, its copies, the projects its user may
/// edit, and a unit of work whose saves can be refused. Entities are the domain's own, changed in place as the
/// phases change them; <see cref="Saves"/> counts the round trips the database would have made.
/// </summary>
internal sealed class InMemoryCopyBook(CalendarBinding binding) : ICopyBook
{
    private readonly List<AppointmentTarget> _added = [];
    private int _refusals;

    /// <summary>The appointments the binding's scope carries.</summary>
    public List<Appointment> Carried { get; } = [];

    /// <summary>Other appointments (left the scope, or never in it) that copies may still point at.</summary>
    public List<Appointment> Elsewhere { get; } = [];

    public List<AppointmentTarget> Copies { get; } = [];

    /// <summary>The binding's user's role on each project (none: they cannot see it).</summary>
    public Dictionary<Guid, ProjectRole> Roles { get; } = [];

    public int Saves { get; private set; }

    /// <summary>The domain events saved so far (what the outbox would publish), in order.</summary>
    public List<IDomainEvent> Recorded { get; } = [];

    /// <summary>The next <paramref name="times"/> saves are refused (a row deleted meanwhile, say).</summary>
    public void RefuseSaves(int times = 1) => _refusals = times;

    public AppointmentTarget CopyOf(Appointment appointment) => Copies.Single(c => c.AppointmentId == appointment.Id);

    public Task<PushWork> PushWorkAsync(PushDetection detection, CancellationToken cancellationToken)
    {
        if (detection == PushDetection.NothingChanged)
        {
            return Task.FromResult(PushWork.None);
        }

        var toPush = Carried
            .Select(a => new PushWork.Item(a, Copies.SingleOrDefault(c => c.AppointmentId == a.Id)))
            .Where(i => i.Target?.SyncedVersion != i.Appointment.Version)
            .ToList();
        var stale = detection == PushDetection.WholeScope ? Copies.Where(c => Carried.All(a => a.Id != c.AppointmentId)).ToList() : [];
        return Task.FromResult(new PushWork(toPush, stale));
    }

    public Task<PushWork> PushWorkForAsync(IReadOnlyCollection<Guid> appointmentIds, CancellationToken cancellationToken)
    {
        var carried = Carried.Where(a => appointmentIds.Contains(a.Id)).ToList();
        var stale = Copies.Where(c => appointmentIds.Contains(c.AppointmentId) && carried.All(a => a.Id != c.AppointmentId)).ToList();
        return Task.FromResult(new PushWork(carried.ConvertAll(a => new PushWork.Item(a, Copies.SingleOrDefault(c => c.AppointmentId == a.Id))), stale));
    }

    public Task<IReadOnlyList<AppointmentTarget>> CopiesAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<AppointmentTarget>>(Copies.ToList());

    public Task<IReadOnlyList<CopyEtag>> CopyEtagsAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<CopyEtag>>(CarriedCopies(_ => true).Select(c => new CopyEtag(c.Copy.Id, c.Copy.CalDavHref, c.Copy.CalDavEtag)).ToList());

    public Task<IReadOnlyList<CarriedCopy>> CarriedCopiesAsync(IReadOnlyCollection<Guid> copyIds, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<CarriedCopy>>(CarriedCopies(c => copyIds.Contains(c.Id)));

    public Task<IReadOnlyList<CarriedCopy>> CarriedCopiesByUidAsync(IReadOnlyCollection<string> uids, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<CarriedCopy>>(CarriedCopies(c => uids.Contains(c.CalDavUid)));

    public Task<int> CountCopiesAsync(CancellationToken cancellationToken) => Task.FromResult(Copies.Count);

    public Task<Appointment?> FindAppointmentAsync(Guid appointmentId, CancellationToken cancellationToken)
        => Task.FromResult(Carried.Concat(Elsewhere).SingleOrDefault(a => a.Id == appointmentId));

    public Task<ProjectRole?> UserRoleOnProjectAsync(Guid projectId, CancellationToken cancellationToken)
        => Task.FromResult(Roles.TryGetValue(projectId, out var role) ? role : (ProjectRole?)null);

    public void AddCopy(AppointmentTarget copy)
    {
        Copies.Add(copy);
        _added.Add(copy);
    }

    public void RemoveCopy(AppointmentTarget copy) => Copies.Remove(copy);

    public bool HasChanges => true;

    public Task SaveAsync()
    {
        if (_refusals > 0)
        {
            _refusals--;
            throw new CopyBookRefusedException("refused (test)");
        }

        Saves++;
        _added.Clear();
        Recorded.AddRange(binding.DequeueDomainEvents());
        Recorded.AddRange(Copies.Concat<Entity>(Carried).Concat(Elsewhere).SelectMany(e => e.DequeueDomainEvents()));
        return Task.CompletedTask;
    }

    /// <summary>Copies added since the last save are forgotten (changes made in place to entities cannot be undone
    /// here; the phases only discard after a refused save or a failed resource, whose in-place changes they redo).</summary>
    public Task DiscardAsync()
    {
        Copies.RemoveAll(_added.Contains);
        _added.Clear();
        return Task.CompletedTask;
    }

    private List<CarriedCopy> CarriedCopies(Func<AppointmentTarget, bool> which)
        => Copies.Where(which).Select(c => (Copy: c, Appointment: Carried.SingleOrDefault(a => a.Id == c.AppointmentId)))
            .Where(x => x.Appointment is not null)
            .Select(x => new CarriedCopy(x.Copy, x.Appointment!))
            .ToList();
}
