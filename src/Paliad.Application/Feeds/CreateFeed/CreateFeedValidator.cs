using FluentValidation;
using Paliad.Application.CalDav.Bindings;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Feeds;

namespace Paliad.Application.Feeds.CreateFeed;

public sealed class CreateFeedValidator : AbstractValidator<CreateFeed>
{
    public CreateFeedValidator(IPaliadDbContext db)
    {
        RuleFor(c => c.DisplayName).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("'displayName' must not be empty.")
            .MaximumLength(CalendarFeed.DisplayNameMaxLength);
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
