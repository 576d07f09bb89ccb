using Mediator;
using Paliad.Application.Common;
using Paliad.Application.Projects;
using Paliad.Domain.Appointments;

namespace Paliad.Application.Appointments.CreateAppointment;

/// <summary>Creates a personal appointment (no project) or one in a project the caller may edit.</summary>
public sealed record CreateAppointment(
    Guid UserId,
    string? Title,
    string? Description,
    string? Location,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    bool? AllDay,
    string? TimeZone,
    Guid? ProjectId) : ICommand<AppointmentDto>;

public sealed class CreateAppointmentHandler(IPaliadDbContext db, TimeProvider clock) : ICommandHandler<CreateAppointment, AppointmentDto>
{
    public async ValueTask<AppointmentDto> Handle(CreateAppointment command, CancellationToken cancellationToken)
    {
        if (command.ProjectId is { } projectId)
        {
            await db.RequireEditRoleAsync(command.UserId, projectId, cancellationToken, "Viewers may not add appointments to this project.");
        }

        var details = new AppointmentDetails(
            command.Title!,
            command.Description,
            command.Location,
            command.StartsAt!.Value,
            command.EndsAt!.Value,
            command.AllDay ?? false,
            command.TimeZone ?? Appointment.DefaultTimeZone);
        var appointment = Appointment.Create(command.UserId, command.ProjectId, details, clock.GetUtcNow());
        db.Appointments.Add(appointment);
        await db.SaveChangesAsync(cancellationToken);
        return AppointmentDto.From(appointment);
    }
}
