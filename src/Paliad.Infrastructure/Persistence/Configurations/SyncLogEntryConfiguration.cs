using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Identity;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class SyncLogEntryConfiguration : IEntityTypeConfiguration<SyncLogEntry>
{
    public void Configure(EntityTypeBuilder<SyncLogEntry> builder)
    {
        builder.ToTable("caldav_sync_log", t =>
        {
            t.HasCheckConstraint("ck_caldav_sync_log_status", $"status IN ({Words.SqlList<SyncLogStatus>()})");
            t.HasCheckConstraint(
                "ck_caldav_sync_log_counts_not_negative",
                "pushed >= 0 AND updated >= 0 AND deleted >= 0 AND pulled >= 0 AND conflicts >= 0 AND restored >= 0");
            t.HasCheckConstraint("ck_caldav_sync_log_finished_after_started", "finished_at IS NULL OR finished_at >= started_at");
        });
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Status).HasConversion<WordConverter<SyncLogStatus>>().HasMaxLength(WordConverter<SyncLogStatus>.MaxLength);
        builder.Property(e => e.Error).HasMaxLength(SyncLogEntry.ErrorMaxLength);
        builder.Property(e => e.ErrorDetail).HasMaxLength(SyncLogEntry.ErrorMaxLength);
        builder.ComplexProperty(e => e.Counts, counts =>
        {
            counts.Property(c => c.Pushed).HasColumnName("pushed");
            counts.Property(c => c.Updated).HasColumnName("updated");
            counts.Property(c => c.Deleted).HasColumnName("deleted");
            counts.Property(c => c.Pulled).HasColumnName("pulled");
            counts.Property(c => c.Conflicts).HasColumnName("conflicts");
            counts.Property(c => c.Restored).HasColumnName("restored");
        });
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.UserId, e.StartedAt }).IsDescending(false, true);

        // Mig 107: the audit survives binding deletes; the per-binding index serves GET /api/caldav-sync-log?bindingId=.
        builder.HasOne<CalendarBinding>().WithMany().HasForeignKey(e => e.BindingId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(e => new { e.BindingId, e.StartedAt }).IsDescending(false, true);
    }
}
