using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Bindings.CreateBinding;

/// <summary>"Push the appointments of scope S into calendar C." A second binding on one calendar is a 409; so is one
/// beyond CalDav:MaxBindingsPerUser, exactly, however many creates run at once (counted under the user's lock).</summary>
public sealed record CreateBinding(Guid UserId, string? CalendarPath, string? DisplayName, string? Scope, Guid? ScopeId, bool? Enabled)
    : ICommand<BindingDto>;

public sealed class CreateBindingHandler(
    IPaliadDbContext db, TimeProvider clock, IOptions<BindingLimits> limits, OAuth.IOAuthProviders providers, Calendars.ICalDavCalendarDirectory directory)
    : ICommandHandler<CreateBinding, BindingDto>
{
    public async ValueTask<BindingDto> Handle(CreateBinding command, CancellationToken cancellationToken)
    {
        var max = limits.Value.MaxBindingsPerUser;
        CalendarPaths.TryResolve(command.CalendarPath, await BindingRules.ServerUrlAsync(db, command.UserId, cancellationToken), out var path);

        // Asked of the server before the user's lock is taken: a discovery may take seconds.
        await BindingRules.EnsureCalendarCanExistAsync(db, providers, directory, command.UserId, path, cancellationToken);
        await using var serial = await db.BeginUserTransactionAsync(command.UserId, cancellationToken);
        if (await db.CalendarBindings.CountAsync(b => b.UserId == command.UserId, cancellationToken) >= max)
        {
            throw new DomainException(string.Empty, $"You already have {max} bindings, the most one user may hold (CalDav:MaxBindingsPerUser).", DomainErrorKind.Conflict);
        }

        await BindingRules.EnsureCalendarIsFreeAsync(db, command.UserId, path, null, cancellationToken);
        var binding = CalendarBinding.Create(
            command.UserId, path, command.DisplayName, Words.Parse<BindingScope>(command.Scope!), command.ScopeId, command.Enabled ?? true, clock.GetUtcNow());
        db.CalendarBindings.Add(binding);
        await db.SaveChangesAsync(cancellationToken);
        await serial.CommitAsync(cancellationToken);
        return BindingDto.From(binding);
    }
}
