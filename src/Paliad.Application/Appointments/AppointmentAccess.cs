using Microsoft.EntityFrameworkCore;
using Paliad.Application.Common;
using Paliad.Application.Projects;
using Paliad.Domain.Appointments;

namespace Paliad.Application.Appointments;

internal static class AppointmentAccess
{
    /// <summary>Loads an appointment the user may change: 404 when they cannot see it, 403 when they only view it.</summary>
    public static async Task<Appointment> EditableAppointmentAsync(this IPaliadDbContext db, Guid userId, Guid appointmentId, CancellationToken cancellationToken)
    {
        var appointment = await db.VisibleAppointments(userId).SingleOrDefaultAsync(a => a.Id == appointmentId, cancellationToken)
            ?? throw new NotFoundException("Appointment", appointmentId);
        var role = appointment.ProjectId is { } projectId ? await db.EffectiveRoleAsync(userId, projectId, cancellationToken) : null;
        return appointment.MayBeEditedBy(userId, role)
            ? appointment
            : throw new ForbiddenException("Viewers may not change this project or its appointments.");
    }
}
