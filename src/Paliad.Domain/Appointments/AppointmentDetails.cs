namespace Paliad.Domain.Appointments;

/// <summary>What a lawyer says about an appointment: the values an edit replaces as a whole.</summary>
public sealed record AppointmentDetails(
    string Title,
    string? Description,
    string? Location,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    bool AllDay,
    string TimeZone)
{
    /// <summary>The names of the fields an edit changed, as the activity feed says them ("title", "description",
    /// "location", "time").</summary>
    public static IReadOnlyList<string> ChangedFields(AppointmentDetails before, AppointmentDetails after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changed = new List<string>();
        if (before.Title != after.Title)
        {
            changed.Add("title");
        }

        if (before.Description != after.Description)
        {
            changed.Add("description");
        }

        if (before.Location != after.Location)
        {
            changed.Add("location");
        }

        if (before.StartsAt != after.StartsAt || before.EndsAt != after.EndsAt || before.AllDay != after.AllDay)
        {
            changed.Add("time");
        }

        return changed;
    }
}
