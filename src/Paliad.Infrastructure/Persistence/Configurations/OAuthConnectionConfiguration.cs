using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.CalDav;
using Paliad.Domain.Identity;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class OAuthConnectionConfiguration : IEntityTypeConfiguration<OAuthConnection>
{
    public void Configure(EntityTypeBuilder<OAuthConnection> builder)
    {
        builder.ToTable("caldav_oauth_connections", t =>
            t.HasCheckConstraint("ck_caldav_oauth_connections_expiry", "expires_at > created_at"));
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.StateHash).HasMaxLength(128);
        builder.HasIndex(c => c.StateHash).IsUnique();
        builder.HasIndex(c => c.UserId);
        builder.Property(c => c.Provider).HasMaxLength(OAuthConnection.ProviderMaxLength);
        builder.Property(c => c.RedirectUri).HasMaxLength(OAuthConnection.RedirectUriMaxLength);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
