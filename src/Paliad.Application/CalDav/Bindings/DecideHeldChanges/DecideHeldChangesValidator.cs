using FluentValidation;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Bindings.DecideHeldChanges;

public sealed class DecideHeldChangesValidator : AbstractValidator<DecideHeldChanges>
{
    public DecideHeldChangesValidator()
    {
        RuleFor(c => c.Action).NotEmpty()
            .Must(a => Words.TryParse<HeldDecision>(a, out _)).WithMessage($"'action' must be one of: {string.Join(", ", Words.All<HeldDecision>())}.")
            .OverridePropertyName("action");
    }
}
