using FluentValidation;
using Paliad.Domain.Appointments;

namespace Paliad.Application.Appointments;

/// <summary>The appointment CHECK constraints as validator rules, shared by create and update.</summary>
internal static class AppointmentRules
{
    public static IRuleBuilderOptions<T, string?> Title<T>(IRuleBuilder<T, string?> rule)
        => rule.NotNull().WithMessage("'title' is required.")
            .Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("'title' must not be blank.")
            .Must(t => t is null || t.Trim().Length <= Appointment.TitleMaxLength)
            .WithMessage($"'title' must be at most {Appointment.TitleMaxLength} characters.");

    public static IRuleBuilderOptions<T, string?> Description<T>(IRuleBuilder<T, string?> rule) => rule.MaximumLength(Appointment.DescriptionMaxLength);

    public static IRuleBuilderOptions<T, string?> Location<T>(IRuleBuilder<T, string?> rule) => rule.MaximumLength(Appointment.LocationMaxLength);

    public static IRuleBuilderOptions<T, string?> TimeZone<T>(IRuleBuilder<T, string?> rule)
        => rule.Must(z => z is null || Appointment.IsKnownTimeZone(z.Trim())).WithMessage("'timeZone' must be an IANA time zone such as Europe/Berlin.");
}
