using FluentValidation;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

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
        BindingRules.ScopeTarget(RuleFor(c => c), db, c => c.UserId, c => c.Scope, c => c.ScopeId);
    }
}
