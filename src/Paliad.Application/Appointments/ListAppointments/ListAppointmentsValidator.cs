using FluentValidation;
using Paliad.Application.Common;

namespace Paliad.Application.Appointments.ListAppointments;

public sealed class ListAppointmentsValidator : AbstractValidator<ListAppointments>
{
    public ListAppointmentsValidator()
    {
        RuleFor(q => q.To).GreaterThanOrEqualTo(q => q.From).When(q => q.From is not null && q.To is not null)
            .WithMessage("'to' must not be before 'from'.");
        Paging.AddRules(this, q => q.Limit, q => q.After, instantKeyed: true);
    }
}
