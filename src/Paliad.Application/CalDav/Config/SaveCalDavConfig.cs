using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Domain.CalDav;

namespace Paliad.Application.CalDav.Config;

/// <summary>
/// PUT /api/caldav-config. The first save with a calendarPath also creates an all_visible binding on it, so
/// "configure → events appear" holds as it did in Phase F; later saves create none. A missing or empty password
/// keeps the stored one. The password is encrypted before it reaches the aggregate.
/// </summary>
public sealed record SaveCalDavConfig(
    Guid UserId,
    string? ServerUrl,
    string? Username,
    string? Password,
    string? CalendarPath,
    bool? SyncEnabled,
    int? SyncIntervalMinutes) : ICommand<SavedCalDavConfig>;

/// <summary>The saved account and whether this save created it (201) or changed it (200).</summary>
public sealed record SavedCalDavConfig(CalDavConfigDto Config, bool Created);

public sealed class SaveCalDavConfigValidator : AbstractValidator<SaveCalDavConfig>
{
    public SaveCalDavConfigValidator()
    {
        RuleFor(c => c.ServerUrl).NotEmpty().MaximumLength(CalDavConfig.ServerUrlMaxLength)
            .Must(CalDavConfig.IsHttpUrl).WithMessage("'serverUrl' must be an absolute http or https URL.");
        RuleFor(c => c.Username).NotEmpty().Must(u => !string.IsNullOrWhiteSpace(u)).WithMessage("'username' must not be blank.")
            .MaximumLength(CalDavConfig.UsernameMaxLength);
        RuleFor(c => c.CalendarPath).MaximumLength(CalDavConfig.CalendarPathMaxLength)
            .Must((c, path) => CalendarPaths.TryResolve(path, c.ServerUrl, out _)).When(c => !string.IsNullOrWhiteSpace(c.CalendarPath))
            .WithMessage(CalendarPaths.Rule);
        RuleFor(c => c.SyncIntervalMinutes).InclusiveBetween(CalDavConfig.MinSyncIntervalMinutes, CalDavConfig.MaxSyncIntervalMinutes);
    }
}

public sealed class SaveCalDavConfigHandler(IPaliadDbContext db, ICalDavPasswordProtector protector, TimeProvider clock)
    : ICommandHandler<SaveCalDavConfig, SavedCalDavConfig>
{
    public async ValueTask<SavedCalDavConfig> Handle(SaveCalDavConfig command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var encryptedPassword = string.IsNullOrEmpty(command.Password) ? null : protector.Protect(command.Password);
        string? calendarPath = null;
        if (!string.IsNullOrWhiteSpace(command.CalendarPath))
        {
            CalendarPaths.TryResolve(command.CalendarPath, command.ServerUrl, out var path);
            calendarPath = path;
        }

        var config = await db.CalDavConfigs.SingleOrDefaultAsync(c => c.UserId == command.UserId, cancellationToken);
        var created = config is null;
        if (config is null)
        {
            config = CalDavConfig.Configure(
                command.UserId, command.ServerUrl!, command.Username!, encryptedPassword, calendarPath, command.SyncEnabled ?? true,
                command.SyncIntervalMinutes ?? CalDavConfig.DefaultSyncIntervalMinutes, now);
            db.CalDavConfigs.Add(config);
            if (calendarPath is not null
                && !await db.CalendarBindings.AnyAsync(b => b.UserId == command.UserId && b.CalendarPath == calendarPath, cancellationToken))
            {
                db.CalendarBindings.Add(CalendarBinding.Create(command.UserId, calendarPath, null, BindingScope.AllVisible, null, true, now));
            }
        }
        else
        {
            config.Reconfigure(
                command.ServerUrl!, command.Username!, encryptedPassword, calendarPath, command.SyncEnabled ?? config.SyncEnabled,
                command.SyncIntervalMinutes ?? config.SyncIntervalMinutes, now);
        }

        await db.SaveChangesAsync(cancellationToken);
        return new SavedCalDavConfig(CalDavConfigDto.From(config), created);
    }
}
