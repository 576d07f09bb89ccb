using FluentValidation;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Bindings.CreateBinding;

public sealed class CreateBindingValidator : AbstractValidator<CreateBinding>
{
    public CreateBindingValidator(IPaliadDbContext db)
    {
        RuleFor(c => c.CalendarPath).Cascade(CascadeMode.Stop).NotEmpty().MaximumLength(CalendarBinding.CalendarPathMaxLength)
            .CustomAsync(async (path, context, ct) =>
            {
                if (CalendarPaths.Resolve(path, await BindingRules.ServerUrlAsync(db, context.InstanceToValidate.UserId, ct), out var problem) is null)
                {
                    context.AddFailure(problem!);
                }
            });
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
