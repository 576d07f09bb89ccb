namespace Paliad.Domain.Appointments;

/// <summary>What a lawyer says about an appointment: the values an edit replaces as a whole.</summary>
public sealed record AppointmentDetails(
    string Title,
    string? Description,
    string? Location,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    bool AllDay,
    string TimeZone);
