using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;

namespace Paliad.Domain.Appointments;

/// <summary>
/// A hearing, deadline or meeting. Personal when <see cref="ProjectId"/> is null, otherwise it belongs to a
/// project and everyone who can see the project sees it. <see cref="Version"/> is the optimistic concurrency
/// token and grows with every change.
/// </summary>
public sealed class Appointment : Entity
{
    public const int TitleMaxLength = 500;
    public const int DescriptionMaxLength = 10_000;
    public const int LocationMaxLength = 500;
    public const int TimeZoneMaxLength = 64;
    public const string DefaultTimeZone = "UTC";

    private Appointment()
    {
        Title = string.Empty;
        TimeZone = DefaultTimeZone;
    }

    public Guid Id { get; private set; }

    public Guid OwnerId { get; private set; }

    public Guid? ProjectId { get; private set; }

    public string Title { get; private set; }

    public string? Description { get; private set; }

    public string? Location { get; private set; }

    public DateTimeOffset StartsAt { get; private set; }

    public DateTimeOffset EndsAt { get; private set; }

    public bool AllDay { get; private set; }

    /// <summary>IANA time zone the appointment was made in (DTSTART/DTEND carry it as TZID).</summary>
    public string TimeZone { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public int Version { get; private set; }

    /// <summary>Phase F: the UID of the event in the owner's legacy calendar, still written for old readers (by the
    /// sync engine, in bulk, from the owner's all_visible binding).</summary>
    public string? CalDavUid { get; private set; }

    /// <summary>Phase F: the ETag of the event in the owner's legacy calendar, still written for old readers.</summary>
    public string? CalDavEtag { get; private set; }

    public static Appointment Create(Guid ownerId, Guid? projectId, AppointmentDetails details, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(details);
        var appointment = new Appointment
        {
            Id = Guid.CreateVersion7(),
            OwnerId = ownerId,
            ProjectId = projectId,
            CreatedAt = Instant.Normalize(now),
            UpdatedAt = Instant.Normalize(now),
            Version = 1,
        };
        appointment.Apply(details);
        appointment.Raise(new AppointmentCreated(appointment.Id, ownerId, projectId));
        return appointment;
    }

    public AppointmentDetails Details => new(Title, Description, Location, StartsAt, EndsAt, AllDay, TimeZone);

    /// <summary>Who may change the appointment (in Paliad, or by an edit in their calendar): its owner when it is
    /// personal; an owner or editor of its project (or an ancestor) — <paramref name="roleOnProject"/>, null when the
    /// user holds none — when it belongs to one.</summary>
    public bool MayBeEditedBy(Guid userId, ProjectRole? roleOnProject)
        => ProjectId is null ? OwnerId == userId : roleOnProject is { } role && role.CanEdit();

    /// <summary>Replaces the details; raises <see cref="AppointmentChanged"/> only when something really changed.</summary>
    public bool Change(AppointmentDetails details, DateTimeOffset now) => Revise(details, ProjectId, now);

    /// <summary>An edit made in a calendar (a phone), pulled by a binding's tick: the same change, and its event says
    /// which binding pulled it — that tick fans all its pulled edits out to the other calendars at once.</summary>
    public bool ApplyRemoteEdit(AppointmentDetails details, Guid pulledByBindingId, DateTimeOffset now)
        => Revise(details, ProjectId, now, pulledByBindingId);

    /// <summary>Moves the appointment to another project (or makes it personal with null).</summary>
    public bool MoveToProject(Guid? projectId, DateTimeOffset now) => Revise(Details, projectId, now);

    /// <summary>Changes details and project together: one version, one <see cref="AppointmentChanged"/>, or none
    /// when nothing changed.</summary>
    public bool Revise(AppointmentDetails details, Guid? projectId, DateTimeOffset now) => Revise(details, projectId, now, null);

    private bool Revise(AppointmentDetails details, Guid? projectId, DateTimeOffset now, Guid? pulledByBindingId)
    {
        ArgumentNullException.ThrowIfNull(details);
        var before = Details;
        var previousProjectId = ProjectId;
        Apply(details);
        ProjectId = projectId;
        if (Details == before && projectId == previousProjectId)
        {
            return false;
        }

        Touch(now, previousProjectId, pulledByBindingId);
        return true;
    }

    /// <summary>Removes the appointment. The event carries where it is on the CalDAV servers, because the target
    /// rows cascade away with it and a server that is down right now must still lose the event later.</summary>
    public void Delete(IReadOnlyList<RemoteEventLocation> remoteEvents)
        => Raise(new AppointmentDeleted(Id, OwnerId, ProjectId, remoteEvents));

    public static bool IsKnownTimeZone(string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(timeZone) || timeZone.Length > TimeZoneMaxLength)
        {
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) && zone.HasIanaId;
    }

    private void Apply(AppointmentDetails details)
    {
        var startsAt = Instant.Normalize(details.StartsAt);
        var endsAt = Instant.Normalize(details.EndsAt);
        if (endsAt < startsAt)
        {
            throw new DomainException("endsAt", "'endsAt' must not be before 'startsAt'.");
        }

        var timeZone = string.IsNullOrWhiteSpace(details.TimeZone) ? DefaultTimeZone : details.TimeZone.Trim();
        if (!IsKnownTimeZone(timeZone))
        {
            throw new DomainException("timeZone", $"'{timeZone}' is not an IANA time zone.");
        }

        Title = Guard.RequiredText(details.Title, TitleMaxLength, "title");
        Description = Guard.OptionalText(details.Description, DescriptionMaxLength, "description");
        Location = Guard.OptionalText(details.Location, LocationMaxLength, "location");
        StartsAt = startsAt;
        EndsAt = endsAt;
        AllDay = details.AllDay;
        TimeZone = timeZone;
    }

    private void Touch(DateTimeOffset now, Guid? previousProjectId, Guid? pulledByBindingId)
    {
        UpdatedAt = Instant.Normalize(now);
        Version++;
        Raise(new AppointmentChanged(Id, OwnerId, previousProjectId, ProjectId, Version, pulledByBindingId));
    }
}

public sealed record AppointmentCreated(Guid AppointmentId, Guid OwnerId, Guid? ProjectId) : IDomainEvent
{
    Guid IDomainEvent.Lane => OwnerId;
}

/// <summary>Raised on every change; <see cref="PreviousProjectId"/> differs from <see cref="ProjectId"/> when the
/// appointment moved, so bindings of the old project can drop it. <see cref="PulledByBindingId"/>: the change is a
/// calendar's edit that binding's tick pulled (it fans its edits out once, see <c>CalendarEditsPulled</c>).</summary>
public sealed record AppointmentChanged(Guid AppointmentId, Guid OwnerId, Guid? PreviousProjectId, Guid? ProjectId, int Version, Guid? PulledByBindingId = null)
    : IDomainEvent
{
    Guid IDomainEvent.Lane => OwnerId;
}

public sealed record AppointmentDeleted(Guid AppointmentId, Guid OwnerId, Guid? ProjectId, IReadOnlyList<RemoteEventLocation> RemoteEvents) : IDomainEvent
{
    Guid IDomainEvent.Lane => OwnerId;

    RetryClass IDomainEvent.Retry => RetryClass.NeverGivesUp;
}
