using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Projects;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>A copy's id, href and ETag, as a full comparison with the server's listing reads them.</summary>
internal sealed record CopyEtag(Guid Id, string Href, string? Etag);

/// <summary>A copy in the binding's calendar with the appointment it carries (tracked: changes are recorded by
/// <see cref="ICopyBook.SaveAsync"/>).</summary>
internal sealed record CarriedCopy(AppointmentTarget Copy, Appointment Appointment);

/// <summary>
/// Paliad's side of one binding as the phases see it: which appointments its calendar should carry, where their
/// copies are, and a unit of work that records what the phases did. Implemented over the database by
/// <see cref="DatabaseCopyBook"/>; in tests in memory. Entities handed out are tracked: the phases change them
/// through their domain methods and <see cref="SaveAsync"/> writes every change at once.
/// </summary>
internal interface ICopyBook
{
    /// <summary>The appointments the calendar lacks or holds an older copy of, and the copies whose appointment left
    /// the scope, found as <paramref name="detection"/> says.</summary>
    Task<PushWork> PushWorkAsync(PushDetection detection, CancellationToken cancellationToken);

    /// <summary>Of these appointments, those the binding carries (with their copies, if any), and the copies of those
    /// it holds but no longer carries.</summary>
    Task<PushWork> PushWorkForAsync(IReadOnlyCollection<Guid> appointmentIds, CancellationToken cancellationToken);

    /// <summary>Every copy in the binding's calendar.</summary>
    Task<IReadOnlyList<AppointmentTarget>> CopiesAsync(CancellationToken cancellationToken);

    /// <summary>Id, href and ETag of every copy whose appointment the binding still carries (untracked).</summary>
    Task<IReadOnlyList<CopyEtag>> CopyEtagsAsync(CancellationToken cancellationToken);

    /// <summary>These copies (by id) with their appointments, where the binding still carries them.</summary>
    Task<IReadOnlyList<CarriedCopy>> CarriedCopiesAsync(IReadOnlyCollection<Guid> copyIds, CancellationToken cancellationToken);

    /// <summary>The copies with these UIDs with their appointments, where the binding still carries them.</summary>
    Task<IReadOnlyList<CarriedCopy>> CarriedCopiesByUidAsync(IReadOnlyCollection<string> uids, CancellationToken cancellationToken);

    /// <summary>How many events the binding's calendar holds.</summary>
    Task<int> CountCopiesAsync(CancellationToken cancellationToken);

    Task<Appointment?> FindAppointmentAsync(Guid appointmentId, CancellationToken cancellationToken);

    /// <summary>The strongest role the binding's user holds on the project or an ancestor; null when none.</summary>
    Task<ProjectRole?> UserRoleOnProjectAsync(Guid projectId, CancellationToken cancellationToken);

    void AddCopy(AppointmentTarget copy);

    void RemoveCopy(AppointmentTarget copy);

    /// <summary>Whether anything changed since the last save.</summary>
    bool HasChanges { get; }

    /// <summary>Records every change at once, whatever the tick's deadline (a write that succeeded must not lose its
    /// record); a refused change (a row deleted or changed meanwhile) throws <see cref="CopyBookRefusedException"/>.</summary>
    Task SaveAsync();

    /// <summary>Forgets every unsaved change (a refused save, or a resource that failed halfway).</summary>
    Task DiscardAsync();
}

/// <summary>The copy book refused to record changes: a row they depend on was deleted or changed meanwhile (an
/// appointment edited in Paliad while its calendar edit was being pulled, a binding deleted mid-tick).</summary>
public sealed class CopyBookRefusedException : Exception
{
    public CopyBookRefusedException()
    {
    }

    public CopyBookRefusedException(string message)
        : base(message)
    {
    }

    public CopyBookRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
