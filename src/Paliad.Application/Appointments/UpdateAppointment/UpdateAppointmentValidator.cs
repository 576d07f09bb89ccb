using FluentValidation;

namespace Paliad.Application.Appointments.UpdateAppointment;

public sealed class UpdateAppointmentValidator : AbstractValidator<UpdateAppointment>
{
    public UpdateAppointmentValidator()
    {
        AppointmentRules.Title(RuleFor(c => c.Title.Value)).OverridePropertyName("title").When(c => c.Title.IsSet);
        AppointmentRules.Description(RuleFor(c => c.Description.Value)).OverridePropertyName("description");
        AppointmentRules.Location(RuleFor(c => c.Location.Value)).OverridePropertyName("location");
        AppointmentRules.TimeZone(RuleFor(c => c.TimeZone.Value)).OverridePropertyName("timeZone");
        RuleFor(c => c.TimeZone.Value).NotNull().OverridePropertyName("timeZone").When(c => c.TimeZone.IsSet);
        RuleFor(c => c.StartsAt.Value).NotNull().OverridePropertyName("startsAt").When(c => c.StartsAt.IsSet);
        RuleFor(c => c.EndsAt.Value).NotNull().OverridePropertyName("endsAt").When(c => c.EndsAt.IsSet);
        RuleFor(c => c.AllDay.Value).NotNull().OverridePropertyName("allDay").When(c => c.AllDay.IsSet);
    }
}
