using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Paliad.Application.Common;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;
using Paliad.Infrastructure.Persistence.Outbox;

namespace Paliad.Infrastructure.Persistence;

/// <summary>The one unit of work over the <c>paliad</c> schema. Configuration lives per entity in Configurations/.</summary>
public sealed class PaliadDbContext(DbContextOptions<PaliadDbContext> options)
    : DbContext(options), IPaliadDbContext, IDataProtectionKeyContext
{
    public const string Schema = "paliad";
    public const string MigrationsHistoryTable = "__EFMigrationsHistory";

    public DbSet<User> Users => Set<User>();

    public DbSet<Project> Projects => Set<Project>();

    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();

    public DbSet<Appointment> Appointments => Set<Appointment>();

    public DbSet<CalDavConfig> CalDavConfigs => Set<CalDavConfig>();

    public DbSet<OAuthConnection> OAuthConnections => Set<OAuthConnection>();

    public DbSet<Paliad.Domain.Feeds.CalendarFeed> CalendarFeeds => Set<Paliad.Domain.Feeds.CalendarFeed>();

    public DbSet<CalendarBinding> CalendarBindings => Set<CalendarBinding>();

    public DbSet<AppointmentTarget> AppointmentTargets => Set<AppointmentTarget>();

    public DbSet<SyncLogEntry> SyncLog => Set<SyncLogEntry>();

    public DbSet<ActivityEntry> Activity => Set<ActivityEntry>();

    public DbSet<Sync.SyncInstance> SyncInstances => Set<Sync.SyncInstance>();

    /// <summary>ASP.NET Core Data Protection's key ring (it encrypts the CalDAV passwords), shared by every instance.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    public DbSet<Idempotency.IdempotencyKey> IdempotencyKeys => Set<Idempotency.IdempotencyKey>();

    public async Task<IDbContextTransaction> BeginUserTransactionAsync(Guid userId, CancellationToken cancellationToken)
    {
        var transaction = await Database.BeginTransactionAsync(cancellationToken);
        var key = "paliad.user:" + userId;
        await Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken);
        return transaction;
    }

    public async Task<IDbContextTransaction> BeginRowLockAsync<TEntity>(object key, CancellationToken cancellationToken)
        where TEntity : class
    {
        var entityType = Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var column = entityType.FindPrimaryKey()!.Properties.Single().GetColumnName(table)!;
        var transaction = await Database.BeginTransactionAsync(cancellationToken);

        // Names from the model, the key as a parameter.
#pragma warning disable EF1002
        await Database.ExecuteSqlRawAsync($"SELECT 1 FROM \"{table.Schema}\".\"{table.Name}\" WHERE \"{column}\" = @p0 FOR UPDATE", [key], cancellationToken);
#pragma warning restore EF1002
        return transaction;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasDefaultSchema(Schema);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PaliadDbContext).Assembly);

        // Raised events are written to the outbox, never to the aggregate's own table.
        foreach (var entityType in modelBuilder.Model.GetEntityTypes().Where(t => typeof(Entity).IsAssignableFrom(t.ClrType)).ToList())
        {
            modelBuilder.Entity(entityType.ClrType).Ignore(nameof(Entity.DomainEvents));
        }
    }
}
