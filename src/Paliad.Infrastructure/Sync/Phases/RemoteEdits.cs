using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Projects;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.CalDav.ICalendar;

namespace Paliad.Infrastructure.Sync.Phases;

/// <summary>
/// A server's copy that changed, judged and (when the policy says so) taken into the appointment: the reconcile
/// input built from ETags and hashes, the user's edit right asked once per project, the fields a phone may change
/// applied, and the edits applied in this tick gathered for one fan-out event.
/// </summary>
internal sealed class RemoteEdits(TickContext tick)
{
    private readonly Dictionary<Guid, ProjectRole?> _roleOnProject = [];
    private readonly List<Guid> _applied = [];

    /// <summary>What the policy decides about a copy that exists on the server, asking the database for the user's
    /// edit right only when the decision depends on it.</summary>
    public async Task<ReconcileDecision> DecideAsync(Appointment appointment, ReconcileInput input, CancellationToken cancellationToken)
    {
        if (ReconcilePolicy.NeedsEditRight(input))
        {
            input = input with { UserMayEdit = await MayEditAsync(appointment, cancellationToken) };
        }

        return ReconcilePolicy.Decide(input);
    }

    /// <summary>The reconcile input for a copy read from the server, compared with what was last synced.</summary>
    public static ReconcileInput InputFor(Appointment appointment, AppointmentTarget target, RemoteResource remote, RemoteEvent? edit) => new()
    {
        Remote = remote.Etag is not null && remote.Etag == target.CalDavEtag ? RemoteCopyState.Unchanged : RemoteCopyState.Changed,
        LocalChanged = EventContent.From(appointment, target.CalDavUid).ContentHash() != target.ContentHash,
        RemoteReadable = edit is not null,
        RemoteOwnFieldsChanged = edit is null || edit.AsContent(appointment.TimeZone).ContentHash() != target.ContentHash,
        RemoteIsSeries = edit?.IsSeries ?? false,
    };

    /// <summary>The fields a phone may change, applied to the appointment (counted as a pull when anything changed).</summary>
    public void Apply(Appointment appointment, RemoteEvent edit, DateTimeOffset now)
    {
        var details = appointment.Details with
        {
            Title = string.IsNullOrWhiteSpace(edit.Title) ? appointment.Title : TextLimits.Clip(edit.Title, Appointment.TitleMaxLength)!,
            // What a phone may write is not bounded; what an appointment holds is.
            Description = TextLimits.Clip(edit.Description, Appointment.DescriptionMaxLength),
            Location = TextLimits.Clip(edit.Location, Appointment.LocationMaxLength),
            StartsAt = edit.StartsAt,
            EndsAt = edit.EndsAt,
            AllDay = edit.AllDay,
        };
        if (appointment.ApplyRemoteEdit(details, tick.Binding.Id, now))
        {
            _applied.Add(appointment.Id);
            tick.Tally.Pulled();
        }
    }

    /// <summary>Raises, on the binding, one event for the edits applied since the last call (their fan-out to the
    /// other calendars); saved with them.</summary>
    public void RaiseApplied()
    {
        tick.Binding.RecordCalendarEditsPulled(_applied);
        _applied.Clear();
    }

    /// <summary>The user's edit right (<see cref="Appointment.MayBeEditedBy"/>), their role asked once per project in a
    /// tick (a hundred pulled edits of one litigation cost one query, not a hundred).</summary>
    private async Task<bool> MayEditAsync(Appointment appointment, CancellationToken cancellationToken)
    {
        ProjectRole? role = null;
        if (appointment.ProjectId is { } projectId && !_roleOnProject.TryGetValue(projectId, out role))
        {
            role = await tick.Book.UserRoleOnProjectAsync(projectId, cancellationToken);
            _roleOnProject[projectId] = role;
        }

        return appointment.MayBeEditedBy(tick.Binding.UserId, role);
    }
}
