using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
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
            t.HasCheckConstraint("ck_user_caldav_config_auth_kind", $"auth_kind IN ({Words.SqlList<CalDavAuthKind>()})");

            // A grant belongs to a provider, a password to a basic account: never both, never a half.
            t.HasCheckConstraint(
                "ck_user_caldav_config_oauth_grant",
                $"(auth_kind = '{Words.Of(CalDavAuthKind.Oauth2)}') = (provider IS NOT NULL AND access_token IS NOT NULL AND password IS NULL)");
        });
        builder.HasKey(c => c.UserId);
        builder.HasRowVersion(c => c.RowVersion);
        builder.Property(c => c.UserId).ValueGeneratedNever();
        builder.Property(c => c.ServerUrl).HasMaxLength(CalDavConfig.ServerUrlMaxLength);
        builder.Property(c => c.Username).HasMaxLength(CalDavConfig.UsernameMaxLength);
        builder.Property(c => c.EncryptedPassword).HasColumnName("password");
        builder.Property(c => c.CalendarPath).HasMaxLength(CalDavConfig.CalendarPathMaxLength);
        builder.Property(c => c.AuthKind).HasConversion<WordConverter<CalDavAuthKind>>().HasMaxLength(WordConverter<CalDavAuthKind>.MaxLength);
        builder.Property(c => c.Provider).HasMaxLength(CalDavConfig.ProviderMaxLength);
        builder.Property(c => c.NeedsReconnect).HasDefaultValue(false);
        builder.ComplexProperty(c => c.Tokens, tokens =>
        {
            tokens.Property(t => t.EncryptedAccessToken).HasColumnName("access_token");
            tokens.Property(t => t.EncryptedRefreshToken).HasColumnName("refresh_token");
            tokens.Property(t => t.AccessTokenExpiresAt).HasColumnName("access_token_expires_at");
        });
        builder.HasOne<User>().WithOne().HasForeignKey<CalDavConfig>(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
