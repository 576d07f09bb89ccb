using Paliad.Application.Common;
using Paliad.Application.Projects;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;

namespace Paliad.Application.Appointments;

/// <summary>
/// Which appointments a user sees and which a calendar binding carries. Each is one SQL query over the indexes
/// (appointments by owner/project, projects by path), never a load-and-filter in memory.
/// </summary>
public static class AppointmentScopes
{
    /// <summary>The user's personal appointments and those of every project the user sees.</summary>
    public static IQueryable<Appointment> VisibleAppointments(this IPaliadDbContext db, Guid userId)
    {
        var visibleProjectIds = db.VisibleProjects(userId).Select(p => (Guid?)p.Id);
        return db.Appointments.Where(a => (a.ProjectId == null && a.OwnerId == userId) || visibleProjectIds.Contains(a.ProjectId));
    }

    /// <summary>The appointments a binding pushes into its calendar (DESIGN §4).</summary>
    public static IQueryable<Appointment> ForBinding(this IPaliadDbContext db, CalendarBinding binding)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return db.ForScope(binding.UserId, binding.Scope, binding.ScopeId);
    }

    /// <summary>The appointments a binding of <paramref name="userId"/> with this scope carries (what
    /// <see cref="ForBinding"/> asks, for a caller that holds the scope but not the binding).</summary>
    public static IQueryable<Appointment> ForScope(this IPaliadDbContext db, Guid userId, BindingScope scope, Guid? scopeId)
    {
        switch (scope)
        {
            case BindingScope.AllVisible:
                return db.VisibleAppointments(userId);

            case BindingScope.PersonalOnly:
                return db.Appointments.Where(a => a.ProjectId == null && a.OwnerId == userId);

            case BindingScope.Project:
            {
                var visible = db.VisibleProjects(userId).Where(p => p.Id == scopeId);
                return db.Appointments.Where(a => a.ProjectId == scopeId && visible.Any());
            }

            default:
            {
                var kind = scope.RequiredProjectKind()
                    ?? throw new InvalidOperationException($"Scope {scope} has no query.");
                var subtree = (
                        from node in db.VisibleProjects(userId)
                        where node.Id == scopeId && node.Kind == kind
                        from project in db.Projects
                        select new { project.Id, project.Path, Root = node.Path })
                    .WhereInSubtree(x => x.Path, x => x.Root)
                    .Select(x => (Guid?)x.Id);
                return db.Appointments.Where(a => subtree.Contains(a.ProjectId));
            }
        }
    }

    /// <summary>The single-appointment twin of <see cref="ForBinding"/>: the same predicate, one row.</summary>
    public static IQueryable<Appointment> AppointmentInBinding(this IPaliadDbContext db, Guid appointmentId, CalendarBinding binding)
        => db.ForBinding(binding).Where(a => a.Id == appointmentId);
}
