using FluentValidation;
using Paliad.Application.CalDav.Bindings;
using Paliad.Application.Common;
using Paliad.Domain.Feeds;

namespace Paliad.Application.Feeds.CreateFeed;

public sealed class CreateFeedValidator : AbstractValidator<CreateFeed>
{
    public CreateFeedValidator(IPaliadDbContext db)
    {
        RuleFor(c => c.DisplayName).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("'displayName' must not be empty.")
            .MaximumLength(CalendarFeed.DisplayNameMaxLength);
        BindingRules.ScopeWord(RuleFor(c => c.Scope).NotEmpty());
        BindingRules.ScopeTarget(RuleFor(c => c), db, c => c.UserId, c => c.Scope, c => c.ScopeId);
    }
}
