using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Application.Projects;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Application.CalDav.Bindings;

/// <summary>The calendar_bindings CHECK constraints and cross-table rules, for both create and PATCH.</summary>
internal static class BindingRules
{
    public static readonly string ScopeWords = string.Join(", ", Words.All<BindingScope>());

    public static IRuleBuilderOptions<T, string?> ScopeWord<T>(IRuleBuilder<T, string?> rule)
        => rule.Must(s => Words.TryParse<BindingScope>(s, out _)).WithMessage($"'scope' must be one of: {ScopeWords}.");

    public static IRuleBuilderOptions<T, string?> DisplayName<T>(IRuleBuilder<T, string?> rule)
        => rule.MaximumLength(CalendarBinding.DisplayNameMaxLength);

    /// <summary>The scope_id rule (NULL exactly for all_visible and personal_only) and, for project scopes, that
    /// scope_id names a project the user sees, of the kind the scope names. Returns the field errors.</summary>
    public static async Task<List<ValidationFailure>> ScopeTargetFailuresAsync(
        IPaliadDbContext db, Guid userId, BindingScope scope, Guid? scopeId, CancellationToken cancellationToken)
    {
        var failures = new List<ValidationFailure>();
        if (!scope.NamesProject())
        {
            if (scopeId is not null)
            {
                failures.Add(new ValidationFailure("scopeId", $"The {Words.Of(scope)} scope takes no 'scopeId'."));
            }

            return failures;
        }

        if (scopeId is null || scopeId == Guid.Empty)
        {
            failures.Add(new ValidationFailure("scopeId", $"The {Words.Of(scope)} scope needs 'scopeId', the id of a project."));
            return failures;
        }

        var project = await db.VisibleProjects(userId).AsNoTracking()
            .Where(p => p.Id == scopeId)
            .Select(p => new { p.Kind })
            .SingleOrDefaultAsync(cancellationToken);
        if (project is null)
        {
            failures.Add(new ValidationFailure("scopeId", "'scopeId' must be a project you can see."));
        }
        else if (scope.RequiredProjectKind() is { } kind && project.Kind != kind)
        {
            failures.Add(new ValidationFailure("scopeId", $"The {Words.Of(scope)} scope needs a {Words.Of(kind)} project, not a {Words.Of(project.Kind)}."));
        }

        return failures;
    }

    /// <summary>The scope a PATCH leaves (of a binding or a feed): a scope word changes it; to all_visible/personal_only
    /// the scope id is dropped, to another project scope without a scopeId the current one is kept (and must fit the new
    /// kind). Throws the field errors of <see cref="ScopeTargetFailuresAsync"/>.</summary>
    public static async Task<(BindingScope Scope, Guid? ScopeId)> PatchedScopeAsync(
        IPaliadDbContext db, Guid userId, PatchField<string?> scopeWord, PatchField<Guid?> scopeId, BindingScope currentScope, Guid? currentScopeId,
        CancellationToken cancellationToken)
    {
        var scope = scopeWord.IsSet ? Words.Parse<BindingScope>(scopeWord.Value!) : currentScope;
        var target = scopeId.IsSet ? scopeId.Value : (scope.NamesProject() ? currentScopeId : null);
        var failures = await ScopeTargetFailuresAsync(db, userId, scope, target, cancellationToken);
        return failures.Count > 0 ? throw new ValidationException(failures) : (scope, target);
    }

    /// <summary>The scope target rule (<see cref="ScopeTargetFailuresAsync"/>) as a validator rule on the whole request,
    /// for every request that names a scope: a binding, a feed, a count.</summary>
    public static void ScopeTarget<T>(
        IRuleBuilderInitial<T, T> rule, IPaliadDbContext db, Func<T, Guid> userId, Func<T, string?> scopeWord, Func<T, Guid?> scopeId)
        => rule.CustomAsync(async (request, context, ct) =>
        {
            if (Words.TryParse<BindingScope>(scopeWord(request), out var scope))
            {
                foreach (var failure in await ScopeTargetFailuresAsync(db, userId(request), scope, scopeId(request), ct))
                {
                    context.AddFailure(failure);
                }
            }
        });

    public static async Task<string?> ServerUrlAsync(IPaliadDbContext db, Guid userId, CancellationToken cancellationToken)
        => await db.CalDavConfigs.AsNoTracking().Where(c => c.UserId == userId).Select(c => c.ServerUrl).SingleOrDefaultAsync(cancellationToken);

    public static async Task EnsureCalendarIsFreeAsync(IPaliadDbContext db, Guid userId, string calendarPath, Guid? exceptBindingId, CancellationToken cancellationToken)
    {
        var bound = await db.CalendarBindings.AsNoTracking()
            .Where(b => b.UserId == userId && b.Id != exceptBindingId)
            .Select(b => b.CalendarPath)
            .ToListAsync(cancellationToken);
        if (bound.Exists(path => CalendarCollectionPath.SameCollection(path, calendarPath)))
        {
            throw new DomainException("calendarPath", "This calendar already has a binding: one calendar takes one binding.", DomainErrorKind.Conflict);
        }
    }

    /// <summary>A provider whose server makes no calendars (Google: no MKCALENDAR) can only have its existing calendars
    /// bound: a path the server does not list is a 400 on calendarPath ("new calendar" cannot work there), said before
    /// anything is stored. Other accounts may bind a path that does not exist yet; the first sync creates it.</summary>
    public static async Task EnsureCalendarCanExistAsync(
        IPaliadDbContext db, OAuth.IOAuthProviders providers, Calendars.ICalDavCalendarDirectory directory, Guid userId, string calendarPath,
        CancellationToken cancellationToken)
    {
        var account = await db.CalDavConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId, cancellationToken);
        if (account?.Provider is not { } name || providers.Find(name) is not { CreatesCalendars: false } provider)
        {
            return;
        }

        var calendars = await directory.ListAsync(account, cancellationToken);
        if (!calendars.Any(c => CalendarCollectionPath.SameCollection(c.Href, calendarPath)))
        {
            throw new ValidationException([new ValidationFailure("calendarPath",
                $"{provider.DisplayName} cannot create calendars over CalDAV: bind one of its calendars, or create the calendar in {provider.DisplayName} first.")]);
        }
    }
}
