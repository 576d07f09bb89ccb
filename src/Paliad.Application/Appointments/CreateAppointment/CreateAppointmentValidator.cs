using FluentValidation;

namespace Paliad.Application.Appointments.CreateAppointment;

public sealed class CreateAppointmentValidator : AbstractValidator<CreateAppointment>
{
    public CreateAppointmentValidator()
    {
        AppointmentRules.Title(RuleFor(c => c.Title));
        AppointmentRules.Description(RuleFor(c => c.Description));
        AppointmentRules.Location(RuleFor(c => c.Location));
        AppointmentRules.TimeZone(RuleFor(c => c.TimeZone));
        RuleFor(c => c.StartsAt).NotNull();
        RuleFor(c => c.EndsAt).NotNull()
            .GreaterThanOrEqualTo(c => c.StartsAt).When(c => c.StartsAt is not null).WithMessage("'endsAt' must not be before 'startsAt'.");
    }
}
