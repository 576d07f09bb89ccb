using FluentValidation;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Bindings.UpdateBinding;

public sealed class UpdateBindingValidator : AbstractValidator<UpdateBinding>
{
    public UpdateBindingValidator()
    {
        RuleFor(c => c.CalendarPath.Value).NotEmpty().MaximumLength(CalendarBinding.CalendarPathMaxLength)
            .OverridePropertyName("calendarPath").When(c => c.CalendarPath.IsSet);
        BindingRules.DisplayName(RuleFor(c => c.DisplayName.Value)).OverridePropertyName("displayName");
        BindingRules.ScopeWord(RuleFor(c => c.Scope.Value)).OverridePropertyName("scope").When(c => c.Scope.IsSet);
        RuleFor(c => c.Enabled.Value).NotNull().OverridePropertyName("enabled").When(c => c.Enabled.IsSet);
    }
}
