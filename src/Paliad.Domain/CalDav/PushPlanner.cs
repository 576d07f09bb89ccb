namespace Paliad.Domain.CalDav;

/// <summary>What a push does for one appointment in one calendar.</summary>
public enum PushStep
{
    /// <summary>No copy yet: PUT with If-None-Match: *.</summary>
    Create,

    /// <summary>The copy holds other content than the appointment: PUT with If-Match.</summary>
    Update,

    /// <summary>The copy already holds what the appointment says (an edit undone, say): no request, the copy just
    /// learns the appointment's version so it is not looked at again until the appointment changes.</summary>
    LearnVersion,

    /// <summary>The copy is current.</summary>
    Nothing,
}

/// <summary>The push rule (DESIGN §5): push only when a normalised content hash changed, or servers get floods of
/// rewrites.</summary>
public static class PushPlanner
{
    public static PushStep StepFor(AppointmentTarget? copy, string contentHash, int appointmentVersion)
        => copy is null ? PushStep.Create
            : copy.ContentHash != contentHash ? PushStep.Update
            : copy.SyncedVersion != appointmentVersion ? PushStep.LearnVersion
            : PushStep.Nothing;
}
