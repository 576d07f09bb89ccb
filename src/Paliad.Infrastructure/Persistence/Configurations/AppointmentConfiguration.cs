using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.Appointments;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class AppointmentConfiguration : IEntityTypeConfiguration<Appointment>
{
    public void Configure(EntityTypeBuilder<Appointment> builder)
    {
        builder.ToTable("appointments", t =>
        {
            t.HasCheckConstraint("ck_appointments_title_length", $"char_length(title) BETWEEN 1 AND {Appointment.TitleMaxLength}");
            t.HasCheckConstraint("ck_appointments_ends_not_before_starts", "ends_at >= starts_at");
            t.HasCheckConstraint("ck_appointments_time_zone_not_blank", "btrim(time_zone) <> ''");
        });
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Title).HasColumnType("text");
        builder.Property(a => a.Description).HasMaxLength(Appointment.DescriptionMaxLength);
        builder.Property(a => a.Location).HasMaxLength(Appointment.LocationMaxLength);
        builder.Property(a => a.TimeZone).HasMaxLength(Appointment.TimeZoneMaxLength);
        builder.Property(a => a.Version).IsConcurrencyToken();
        builder.Property(a => a.CalDavUid).HasColumnName("caldav_uid").HasMaxLength(255);
        builder.Property(a => a.CalDavEtag).HasColumnName("caldav_etag").HasMaxLength(255);
        builder.Ignore(a => a.Details);

        builder.HasOne<User>().WithMany().HasForeignKey(a => a.OwnerId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Project>().WithMany().HasForeignKey(a => a.ProjectId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => new { a.OwnerId, a.StartsAt });
        builder.HasIndex(a => new { a.ProjectId, a.StartsAt });

        // A tick looks only at its scope's appointments changed since the binding's push mark: ranges on these.
        builder.HasIndex(a => new { a.OwnerId, a.UpdatedAt });
        builder.HasIndex(a => new { a.ProjectId, a.UpdatedAt });
    }
}
