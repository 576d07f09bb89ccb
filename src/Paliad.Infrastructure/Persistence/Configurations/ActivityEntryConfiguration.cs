using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Identity;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class ActivityEntryConfiguration : IEntityTypeConfiguration<ActivityEntry>
{
    public void Configure(EntityTypeBuilder<ActivityEntry> builder)
    {
        builder.ToTable("caldav_activity", t => t.HasCheckConstraint("ck_caldav_activity_kind", $"kind IN ({Words.SqlList<ActivityKind>()})"));
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Kind).HasConversion<WordConverter<ActivityKind>>().HasMaxLength(WordConverter<ActivityKind>.MaxLength);
        builder.Property(e => e.AppointmentTitle).HasMaxLength(Appointment.TitleMaxLength);
        builder.Property(e => e.CalendarPath).HasMaxLength(ActivityEntry.CalendarPathMaxLength);
        builder.Property(e => e.Detail).HasMaxLength(ActivityEntry.DetailMaxLength);

        // The feed outlives what it names: a deleted binding leaves its lines (binding_id null), a deleted appointment
        // too (its id and title are what the line says).
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CalendarBinding>().WithMany().HasForeignKey(e => e.BindingId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(e => new { e.UserId, e.At, e.Id }).IsDescending(false, true, true);

        // The retention sweep deletes by age across users.
        builder.HasIndex(e => e.At);
    }
}
