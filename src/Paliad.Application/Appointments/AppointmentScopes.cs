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
    /// <summary>The user's personal appointments and those of every project the user sees (the all_visible scope).</summary>
    public static IQueryable<Appointment> VisibleAppointments(this IPaliadDbContext db, Guid userId)
        => db.ForScope(userId, BindingScope.AllVisible, null);

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
        var (personal, projects) = db.ScopeParts(userId, scope, scopeId);
        var projectIds = projects.Select(id => (Guid?)id);
        return personal
            ? db.Appointments.Where(a => (a.ProjectId == null && a.OwnerId == userId) || projectIds.Contains(a.ProjectId))
            : db.Appointments.Where(a => projectIds.Contains(a.ProjectId));
    }

    /// <summary>The appointments of the scope changed at or after <paramref name="since"/>: the same scope as
    /// <see cref="ForScope"/>, asked part by part so each part is a range on an (owner or project, updated_at) index —
    /// its cost is what changed in the scope, not the calendar's size or other users' changes.</summary>
    public static IQueryable<Appointment> ChangedInScope(this IPaliadDbContext db, Guid userId, BindingScope scope, Guid? scopeId, DateTimeOffset since)
    {
        var (personal, projects) = db.ScopeParts(userId, scope, scopeId);
        var inProjects =
            from projectId in projects
            join a in db.Appointments on (Guid?)projectId equals a.ProjectId
            where a.UpdatedAt >= since
            select a;
        return personal
            ? db.Appointments.Where(a => a.OwnerId == userId && a.ProjectId == null && a.UpdatedAt >= since).Concat(inProjects)
            : inProjects;
    }

    /// <summary>A scope as its parts (DESIGN §4): the user's personal appointments or not, and the projects whose
    /// appointments it carries — every project the user sees (all_visible), the one project if visible (project), a
    /// visible node of the required kind and its subtree (client … case), none (personal_only).</summary>
    private static (bool Personal, IQueryable<Guid> Projects) ScopeParts(this IPaliadDbContext db, Guid userId, BindingScope scope, Guid? scopeId)
    {
        switch (scope)
        {
            case BindingScope.AllVisible:
                return (true, db.VisibleProjects(userId).Select(p => p.Id));

            case BindingScope.PersonalOnly:
                return (true, db.Projects.Where(_ => false).Select(p => p.Id));

            case BindingScope.Project:
                return (false, db.VisibleProjects(userId).Where(p => p.Id == scopeId).Select(p => p.Id));

            default:
            {
                var kind = scope.RequiredProjectKind()
                    ?? throw new InvalidOperationException($"Scope {scope} has no query.");
                return (false, (
                        from node in db.VisibleProjects(userId)
                        where node.Id == scopeId && node.Kind == kind
                        from project in db.Projects
                        select new { project.Id, project.Path, Root = node.Path })
                    .WhereInSubtree(x => x.Path, x => x.Root)
                    .Select(x => x.Id));
            }
        }
    }
}
