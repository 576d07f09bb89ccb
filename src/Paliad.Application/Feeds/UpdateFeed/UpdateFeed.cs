using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.CalDav.Bindings;
using Paliad.Application.Common;
using Paliad.Domain.Feeds;

namespace Paliad.Application.Feeds.UpdateFeed;

/// <summary>PATCH /api/calendar-feeds/{id}: any of displayName, scope, scopeId. The URL stays.</summary>
public sealed record UpdateFeed(Guid UserId, Guid FeedId, PatchField<string?> DisplayName, PatchField<string?> Scope, PatchField<Guid?> ScopeId, IfMatch? IfMatch = null)
    : ICommand<FeedDto>;

public sealed class UpdateFeedHandler(IPaliadDbContext db, TimeProvider clock) : ICommandHandler<UpdateFeed, FeedDto>
{
    public async ValueTask<FeedDto> Handle(UpdateFeed command, CancellationToken cancellationToken)
    {
        await using var locked = await db.LockIfConditionalAsync<CalendarFeed>(command.IfMatch, command.FeedId, cancellationToken);
        var feed = await db.CalendarFeeds.SingleOrDefaultAsync(f => f.Id == command.FeedId && f.UserId == command.UserId, cancellationToken)
            ?? throw new NotFoundException("Calendar feed", command.FeedId);
        command.IfMatch.Require(ETags.Of(feed.RowVersion), () => FeedDto.From(feed));
        var now = clock.GetUtcNow();
        if (command.Scope.IsSet || command.ScopeId.IsSet)
        {
            var (scope, scopeId) = await BindingRules.PatchedScopeAsync(db, command.UserId, command.Scope, command.ScopeId, feed.Scope, feed.ScopeId, cancellationToken);
            feed.ChangeScope(scope, scopeId, now);
        }

        if (command.DisplayName.IsSet)
        {
            feed.Rename(command.DisplayName.Value!, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);
        return FeedDto.From(feed);
    }
}

public sealed class UpdateFeedValidator : AbstractValidator<UpdateFeed>
{
    public UpdateFeedValidator()
    {
        RuleFor(c => c.DisplayName.Value).Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("'displayName' must not be empty.")
            .MaximumLength(CalendarFeed.DisplayNameMaxLength).OverridePropertyName("displayName").When(c => c.DisplayName.IsSet);
        BindingRules.ScopeWord(RuleFor(c => c.Scope.Value)).OverridePropertyName("scope").When(c => c.Scope.IsSet);
    }
}
