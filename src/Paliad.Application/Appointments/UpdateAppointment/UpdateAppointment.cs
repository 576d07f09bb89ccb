using Mediator;
using Paliad.Application.Common;
using Paliad.Application.Projects;
using Paliad.Domain.Appointments;

namespace Paliad.Application.Appointments.UpdateAppointment;

/// <summary>PATCH: only the fields that are set change. The owner of a personal appointment, or an owner/editor of
/// its project, may change it; moving it to another project needs edit rights there too.</summary>
public sealed record UpdateAppointment(
    Guid UserId,
    Guid AppointmentId,
    PatchField<string?> Title,
    PatchField<string?> Description,
    PatchField<string?> Location,
    PatchField<DateTimeOffset?> StartsAt,
    PatchField<DateTimeOffset?> EndsAt,
    PatchField<bool?> AllDay,
    PatchField<string?> TimeZone,
    PatchField<Guid?> ProjectId,
    IfMatch? IfMatch = null) : ICommand<AppointmentDto>;

public sealed class UpdateAppointmentHandler(IPaliadDbContext db, TimeProvider clock) : ICommandHandler<UpdateAppointment, AppointmentDto>
{
    public async ValueTask<AppointmentDto> Handle(UpdateAppointment command, CancellationToken cancellationToken)
    {
        await using var locked = await db.LockIfConditionalAsync<Appointment>(command.IfMatch, command.AppointmentId, cancellationToken);
        var appointment = await db.EditableAppointmentAsync(command.UserId, command.AppointmentId, cancellationToken);
        command.IfMatch.Require(ETags.Of(appointment.Version), () => AppointmentDto.From(appointment));
        var now = clock.GetUtcNow();

        if (command.ProjectId.IsSet && command.ProjectId.Value != appointment.ProjectId)
        {
            await EnsureMayMoveAsync(command, appointment, cancellationToken);
        }

        var current = appointment.Details;
        appointment.Revise(
            new AppointmentDetails(
                command.Title.Or(current.Title)!,
                command.Description.Or(current.Description),
                command.Location.Or(current.Location),
                command.StartsAt.Or(current.StartsAt) ?? current.StartsAt,
                command.EndsAt.Or(current.EndsAt) ?? current.EndsAt,
                command.AllDay.Or(current.AllDay) ?? current.AllDay,
                command.TimeZone.Or(current.TimeZone) ?? Appointment.DefaultTimeZone),
            command.ProjectId.Or(appointment.ProjectId),
            now);
        await db.SaveChangesAsync(cancellationToken);
        await locked.CommitIfAnyAsync(cancellationToken);
        return AppointmentDto.From(appointment);
    }

    private async Task EnsureMayMoveAsync(UpdateAppointment command, Appointment appointment, CancellationToken cancellationToken)
    {
        if (command.ProjectId.Value is { } target)
        {
            await db.RequireEditRoleAsync(command.UserId, target, cancellationToken, "Viewers may not add appointments to this project.");
        }
        else if (appointment.OwnerId != command.UserId)
        {
            throw new ForbiddenException("Only the owner may make a project appointment personal.");
        }
    }
}
