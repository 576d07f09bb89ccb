using FluentValidation;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Bindings.CreateBinding;

public sealed class CreateBindingValidator : AbstractValidator<CreateBinding>
{
    public CreateBindingValidator(IPaliadDbContext db)
    {
        RuleFor(c => c.CalendarPath).NotEmpty().MaximumLength(CalendarBinding.CalendarPathMaxLength)
            .MustAsync(async (command, path, ct) => CalendarPaths.TryResolve(path, await BindingRules.ServerUrlAsync(db, command.UserId, ct), out _))
            .WithMessage(CalendarPaths.Rule);
        BindingRules.DisplayName(RuleFor(c => c.DisplayName));
        BindingRules.ScopeWord(RuleFor(c => c.Scope).NotEmpty());
        RuleFor(c => c).CustomAsync(async (command, context, ct) =>
        {
            if (Words.TryParse<BindingScope>(command.Scope, out var scope))
            {
                foreach (var failure in await BindingRules.ScopeTargetFailuresAsync(db, command.UserId, scope, command.ScopeId, ct))
                {
                    context.AddFailure(failure);
                }
            }
        });
    }
}
