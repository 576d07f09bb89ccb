using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure.Sync;

/// <summary>One engine instance as operators see it in /health/sync (sync_instances): when it last finished a tick,
/// when it last said so, and how far its clock was from the database's then. Written by the sync worker at most once
/// per beat, never per tick (ticks of one instance would queue on the row).</summary>
public sealed class SyncInstance
{
    public const int InstanceIdMaxLength = 200;

    private SyncInstance()
    {
        InstanceId = string.Empty;
    }

    public string InstanceId { get; private set; }

    public DateTimeOffset LastTickFinishedAt { get; private set; }

    public DateTimeOffset SeenAt { get; private set; }

    /// <summary>The instance's clock minus the database's (seconds) when it last reported. Instances stamp changes and
    /// push marks with their own clocks, and a push mark trusts them to agree within
    /// <see cref="Paliad.Domain.CalDav.CalendarBinding.PushedThroughMargin"/>.</summary>
    public double ClockOffsetSeconds { get; private set; }

    /// <summary>Upserts this instance's row (one round trip). <paramref name="instanceNow"/> is the instance's clock as
    /// it sends; the database compares it with its own (the one-way trip, milliseconds, counts as offset).</summary>
    internal static Task<int> ReportAsync(PaliadDbContext db, string instanceId, DateTimeOffset lastTickFinishedAt, DateTimeOffset instanceNow,
        CancellationToken cancellationToken)
        => db.Database.ExecuteSqlAsync($"""
            INSERT INTO paliad.sync_instances (instance_id, last_tick_finished_at, seen_at, clock_offset_seconds)
            VALUES ({instanceId}, {lastTickFinishedAt}, now(), extract(epoch FROM {instanceNow} - clock_timestamp())::float8)
            ON CONFLICT (instance_id) DO UPDATE
            SET last_tick_finished_at = greatest(sync_instances.last_tick_finished_at, excluded.last_tick_finished_at), seen_at = now(),
                clock_offset_seconds = excluded.clock_offset_seconds
            """, cancellationToken);
}

internal sealed class SyncInstanceConfiguration : IEntityTypeConfiguration<SyncInstance>
{
    public void Configure(EntityTypeBuilder<SyncInstance> builder)
    {
        builder.ToTable("sync_instances");
        builder.HasKey(i => i.InstanceId);
        builder.Property(i => i.InstanceId).HasMaxLength(SyncInstance.InstanceIdMaxLength);
    }
}
