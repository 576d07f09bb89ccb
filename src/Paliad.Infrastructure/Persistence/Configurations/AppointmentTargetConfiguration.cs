using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.Appointments;
using Paliad.Domain.CalDav;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class AppointmentTargetConfiguration : IEntityTypeConfiguration<AppointmentTarget>
{
    public void Configure(EntityTypeBuilder<AppointmentTarget> builder)
    {
        builder.ToTable("appointment_targets", t => t.HasCheckConstraint("ck_appointment_targets_uid_not_blank", "btrim(caldav_uid) <> ''"));
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedNever();
        builder.Property(t => t.CalDavUid).HasColumnName("caldav_uid").HasMaxLength(AppointmentTarget.UidMaxLength);
        builder.Property(t => t.CalDavHref).HasColumnName("caldav_href").HasMaxLength(AppointmentTarget.HrefMaxLength);
        builder.Property(t => t.CalDavEtag).HasColumnName("caldav_etag").HasMaxLength(AppointmentTarget.EtagMaxLength);
        builder.Property(t => t.ContentHash).HasMaxLength(AppointmentTarget.ContentHashMaxLength);
        builder.Property(t => t.ForeignParts).HasMaxLength(AppointmentTarget.ForeignPartsMaxLength);

        builder.HasOne<Appointment>().WithMany().HasForeignKey(t => t.AppointmentId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<CalendarBinding>().WithMany().HasForeignKey(t => t.BindingId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => new { t.AppointmentId, t.BindingId }).IsUnique();

        // RFC 4791 §4.1: a UID appears once per calendar collection.
        builder.HasIndex(t => new { t.BindingId, t.CalDavUid }).IsUnique();
    }
}
