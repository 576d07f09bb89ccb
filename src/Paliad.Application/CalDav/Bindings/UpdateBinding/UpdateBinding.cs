using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Bindings.UpdateBinding;

/// <summary>
/// PATCH a binding: any of calendarPath, displayName, scope, scopeId, enabled. When the scope changes to
/// all_visible/personal_only the scope id is dropped; to another project scope without a scopeId, the current one
/// is kept (and must then fit the new scope's kind).
/// </summary>
public sealed record UpdateBinding(
    Guid UserId,
    Guid BindingId,
    PatchField<string?> CalendarPath,
    PatchField<string?> DisplayName,
    PatchField<string?> Scope,
    PatchField<Guid?> ScopeId,
    PatchField<bool?> Enabled,
    IfMatch? IfMatch = null) : ICommand<BindingDto>;

public sealed class UpdateBindingHandler(
    IPaliadDbContext db, TimeProvider clock, OAuth.IOAuthProviders providers, Calendars.ICalDavCalendarDirectory directory)
    : ICommandHandler<UpdateBinding, BindingDto>
{
    public async ValueTask<BindingDto> Handle(UpdateBinding command, CancellationToken cancellationToken)
    {
        // A new calendar is looked for on the server (a provider that makes none) before the row is locked: no remote
        // call holds the binding's lock, which the sync engine's claims wait for.
        var path = command.CalendarPath.IsSet ? await NewCalendarPathAsync(command, cancellationToken) : null;

        await using var locked = await db.LockIfConditionalAsync<CalendarBinding>(command.IfMatch, command.BindingId, cancellationToken);
        var binding = await db.CalendarBindings.SingleOrDefaultAsync(b => b.Id == command.BindingId && b.UserId == command.UserId, cancellationToken)
            ?? throw new NotFoundException("Binding", command.BindingId);
        command.IfMatch.Require(ETags.Of(binding.RowVersion), () => BindingDto.From(binding));
        var now = clock.GetUtcNow();

        if (command.Scope.IsSet || command.ScopeId.IsSet)
        {
            var (scope, scopeId) = await BindingRules.PatchedScopeAsync(db, command.UserId, command.Scope, command.ScopeId, binding.Scope, binding.ScopeId, cancellationToken);
            binding.ChangeScope(scope, scopeId, now);
        }

        if (path is not null)
        {
            await BindingRules.EnsureCalendarIsFreeAsync(db, command.UserId, path, binding.Id, cancellationToken);
            binding.MoveToCalendar(path, now);
        }

        if (command.DisplayName.IsSet)
        {
            binding.Rename(command.DisplayName.Value, now);
        }

        if (command.Enabled.IsSet)
        {
            if (command.Enabled.Value == true)
            {
                binding.Enable(now);
            }
            else
            {
                binding.Disable(now);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);
        return BindingDto.From(binding);
    }

    /// <summary>The calendar the PATCH names, as one normalised path on the account's server; a calendar other than the
    /// binding's own must exist there when the provider makes none (one discovery).</summary>
    private async Task<string> NewCalendarPathAsync(UpdateBinding command, CancellationToken cancellationToken)
    {
        var current = await db.CalendarBindings.AsNoTracking().Where(b => b.Id == command.BindingId && b.UserId == command.UserId)
            .Select(b => b.CalendarPath).SingleOrDefaultAsync(cancellationToken) ?? throw new NotFoundException("Binding", command.BindingId);
        var path = CalendarPaths.Resolve(command.CalendarPath.Value, await BindingRules.ServerUrlAsync(db, command.UserId, cancellationToken), out var problem)
                   ?? throw new ValidationException([new FluentValidation.Results.ValidationFailure("calendarPath", problem)]);
        if (!CalendarCollectionPath.SameCollection(path, current))
        {
            await BindingRules.EnsureCalendarCanExistAsync(db, providers, directory, command.UserId, path, cancellationToken);
        }

        return path;
    }
}
