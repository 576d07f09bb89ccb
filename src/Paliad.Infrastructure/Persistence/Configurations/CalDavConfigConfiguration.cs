using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.CalDav;
using Paliad.Domain.Identity;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class CalDavConfigConfiguration : IEntityTypeConfiguration<CalDavConfig>
{
    public void Configure(EntityTypeBuilder<CalDavConfig> builder)
    {
        builder.ToTable("user_caldav_config", t =>
        {
            t.HasCheckConstraint("ck_user_caldav_config_server_url_http", "server_url ~* '^https?://[^/]+'");
            t.HasCheckConstraint(
                "ck_user_caldav_config_sync_interval",
                $"sync_interval_minutes BETWEEN {CalDavConfig.MinSyncIntervalMinutes} AND {CalDavConfig.MaxSyncIntervalMinutes}");
        });
        builder.HasKey(c => c.UserId);
        builder.Property(c => c.UserId).ValueGeneratedNever();
        builder.Property(c => c.ServerUrl).HasMaxLength(CalDavConfig.ServerUrlMaxLength);
        builder.Property(c => c.Username).HasMaxLength(CalDavConfig.UsernameMaxLength);
        builder.Property(c => c.EncryptedPassword).HasColumnName("password");
        builder.Property(c => c.CalendarPath).HasMaxLength(CalDavConfig.CalendarPathMaxLength);
        builder.HasOne<User>().WithOne().HasForeignKey<CalDavConfig>(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
