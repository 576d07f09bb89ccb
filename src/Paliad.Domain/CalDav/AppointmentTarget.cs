using Paliad.Domain.Appointments;
using Paliad.Domain.Common;

namespace Paliad.Domain.CalDav;

/// <summary>
/// One copy of an appointment in one binding's calendar: the resource's UID, href and ETag, and the hash of the
/// content last pushed, so an unchanged appointment is never PUT again. UID and href never change once recorded.
/// </summary>
public sealed class AppointmentTarget : Entity
{
    public const int UidMaxLength = 255;
    public const int HrefMaxLength = 2048;
    public const int EtagMaxLength = 255;
    public const int ContentHashMaxLength = 128;

    /// <summary>What another client may add to one event and have kept (alarms, categories, X- properties): beyond
    /// this, the additions are not kept — a hostile server cannot grow Paliad's rows without bound.</summary>
    public const int ForeignPartsMaxLength = 65_536;

    private AppointmentTarget()
    {
        CalDavUid = string.Empty;
        CalDavHref = string.Empty;
    }

    public Guid Id { get; private set; }

    public Guid AppointmentId { get; private set; }

    public Guid BindingId { get; private set; }

    public string CalDavUid { get; private set; }

    public string CalDavHref { get; private set; }

    public string? CalDavEtag { get; private set; }

    /// <summary>Normalised hash of the VEVENT last pushed; null for backfilled Phase F targets (pushed once, with If-Match).</summary>
    public string? ContentHash { get; private set; }

    /// <summary>The appointment's version the remote copy is known to match (pushed or pulled at); null when unknown
    /// (backfilled targets). A tick finds what to push by comparing it with the appointment's version, in SQL.</summary>
    public int? SyncedVersion { get; private set; }

    public DateTimeOffset? LastPushedAt { get; private set; }

    /// <summary>What other clients added to the server's copy beside Paliad's own fields (VALARMs, CATEGORIES, X-
    /// properties, …) as last seen, as iCalendar text; merged into every push so those additions survive Paliad's
    /// updates. Null when the copy holds nothing but Paliad's fields.</summary>
    public string? ForeignParts { get; private set; }

    public DateTimeOffset? LastPulledAt { get; private set; }

    public static AppointmentTarget RecordCreated(
        Guid appointmentId,
        Guid bindingId,
        string uid,
        string href,
        string? etag,
        string contentHash,
        DateTimeOffset pushedAt,
        int? appointmentVersion = null)
    {
        var target = new AppointmentTarget
        {
            Id = Guid.CreateVersion7(),
            AppointmentId = appointmentId,
            BindingId = bindingId,
            CalDavUid = Guard.RequiredText(uid, UidMaxLength, "caldavUid"),
            CalDavHref = Guard.RequiredText(href, HrefMaxLength, "caldavHref"),
        };
        target.RecordPushed(etag, contentHash, pushedAt, appointmentVersion);
        return target;
    }

    public void RecordPushed(string? etag, string contentHash, DateTimeOffset pushedAt, int? appointmentVersion = null)
    {
        SyncedVersion = appointmentVersion;
        CalDavEtag = Usable(etag);
        ContentHash = Guard.RequiredText(contentHash, ContentHashMaxLength, "contentHash");
        LastPushedAt = Instant.Normalize(pushedAt);
    }

    /// <summary>A remote edit was applied to the appointment: the remote event is now what Paliad holds, so its
    /// ETag and the hash of the appointment as it now is are recorded (and nothing is pushed back).</summary>
    public void RecordPulled(string? etag, string contentHash, DateTimeOffset pulledAt, int? appointmentVersion = null)
    {
        SyncedVersion = appointmentVersion;
        CalDavEtag = Usable(etag);
        ContentHash = Guard.RequiredText(contentHash, ContentHashMaxLength, "contentHash");
        LastPulledAt = Instant.Normalize(pulledAt);
    }

    /// <summary>Learns what other clients added to the server's copy (from a copy a pull or a push's conflict read).</summary>
    public void KeepForeignParts(string? foreignParts)
        => ForeignParts = string.IsNullOrEmpty(foreignParts) || foreignParts.Length > ForeignPartsMaxLength ? null : foreignParts;

    /// <summary>A calendar's edit was applied to the appointment (<paramref name="changedFields"/>: what it changed).</summary>
    public void RecordRemoteEditApplied(CalendarBinding binding, Appointment appointment, IReadOnlyList<string> changedFields, DateTimeOffset at)
        => Raise(new RemoteEditApplied(Guid.CreateVersion7(), ActivitySubject.Of(binding, appointment), Instant.Normalize(at), [.. changedFields]));

    /// <summary>A calendar's edit was overwritten with Paliad's version (<paramref name="remoteTitle"/>: what it said).</summary>
    public void RecordRemoteEditOverwritten(CalendarBinding binding, Appointment appointment, string? remoteTitle, RemoteEditLoss loss, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(appointment);
        Raise(new RemoteEditOverwritten(Guid.CreateVersion7(), ActivitySubject.Of(binding, appointment), Instant.Normalize(at),
            TextLimits.Clip(remoteTitle, Appointment.TitleMaxLength), loss, appointment.UpdatedAt));
    }

    /// <summary>The calendar deleted this copy; it was put back.</summary>
    public void RecordRemoteDeletionReverted(CalendarBinding binding, Appointment appointment, DateTimeOffset at)
        => Raise(new RemoteDeletionReverted(Guid.CreateVersion7(), ActivitySubject.Of(binding, appointment), Instant.Normalize(at)));

    /// <summary>The calendar made this copy a series (or changed one occurrence); the single event was put back.</summary>
    public void RecordRemoteSeriesReverted(CalendarBinding binding, Appointment appointment, string? remoteTitle, DateTimeOffset at)
        => Raise(new RemoteSeriesReverted(Guid.CreateVersion7(), ActivitySubject.Of(binding, appointment), Instant.Normalize(at),
            TextLimits.Clip(remoteTitle, Appointment.TitleMaxLength)));

    /// <summary>An ETag too long to keep is forgotten rather than refused: the next write then fetches the current one.</summary>
    private static string? Usable(string? etag) => etag is { Length: > EtagMaxLength } ? null : etag;

    /// <summary>Where this copy lives; <paramref name="userId"/> is the binding's user, whose account holds it.</summary>
    public RemoteEventLocation LocationFor(Guid userId) => new(BindingId, userId, CalDavHref, CalDavEtag);
}
