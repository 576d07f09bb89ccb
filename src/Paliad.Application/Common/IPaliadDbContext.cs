using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;

namespace Paliad.Application.Common;

/// <summary>The unit of work handlers use: the aggregates' sets and SaveChanges. Implemented by the EF DbContext.</summary>
public interface IPaliadDbContext
{
    DbSet<User> Users { get; }

    DbSet<Project> Projects { get; }

    DbSet<ProjectMember> ProjectMembers { get; }

    DbSet<Appointment> Appointments { get; }

    DbSet<CalDavConfig> CalDavConfigs { get; }

    DbSet<OAuthConnection> OAuthConnections { get; }

    DbSet<Paliad.Domain.Feeds.CalendarFeed> CalendarFeeds { get; }

    DbSet<CalendarBinding> CalendarBindings { get; }

    DbSet<AppointmentTarget> AppointmentTargets { get; }

    DbSet<SyncLogEntry> SyncLog { get; }

    DbSet<ActivityEntry> Activity { get; }

    Task<int> SaveChangesAsync(CancellationToken cancellationToken = default);

    /// <summary>Begins a transaction holding this user's lock until it ends: a rule over the user's rows that a plain
    /// read-then-write would race (at most CalDav:MaxBindingsPerUser bindings) is checked and written under it.</summary>
    Task<IDbContextTransaction> BeginUserTransactionAsync(Guid userId, CancellationToken cancellationToken);

    /// <summary>Begins a transaction holding the row of <typeparamref name="TEntity"/> with this key locked
    /// (<c>SELECT … FOR UPDATE</c>) until it ends: a precondition (<c>If-Match</c>) checked on the row stays true until
    /// the change is saved, whoever else writes the row meanwhile waits.</summary>
    Task<IDbContextTransaction> BeginRowLockAsync<TEntity>(object key, CancellationToken cancellationToken)
        where TEntity : class;
}
