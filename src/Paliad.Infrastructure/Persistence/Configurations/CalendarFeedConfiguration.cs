using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Feeds;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class CalendarFeedConfiguration : IEntityTypeConfiguration<CalendarFeed>
{
    public void Configure(EntityTypeBuilder<CalendarFeed> builder)
    {
        var scopesWithoutProject = string.Join(
            ", ",
            Enum.GetValues<BindingScope>().Where(s => !s.NamesProject()).Select(s => $"'{Words.Of(s)}'"));
        builder.ToTable("calendar_feeds", t =>
        {
            t.HasCheckConstraint("ck_calendar_feeds_scope", $"scope IN ({Words.SqlList<BindingScope>()})");
            t.HasCheckConstraint("ck_calendar_feeds_scope_id", $"(scope IN ({scopesWithoutProject})) = (scope_id IS NULL)");
            t.HasCheckConstraint("ck_calendar_feeds_display_name_not_blank", "btrim(display_name) <> ''");
            t.HasCheckConstraint("ck_calendar_feeds_secret_hash", $"secret_hash ~ '^[0-9a-f]{{{CalendarFeed.SecretHashLength}}}$'");
        });
        builder.HasKey(f => f.Id);
        builder.HasRowVersion(f => f.RowVersion);
        builder.Property(f => f.Id).ValueGeneratedNever();
        builder.Property(f => f.DisplayName).HasMaxLength(CalendarFeed.DisplayNameMaxLength);
        builder.Property(f => f.Scope).HasConversion<WordConverter<BindingScope>>().HasMaxLength(WordConverter<BindingScope>.MaxLength);
        builder.Property(f => f.SecretHash).HasMaxLength(CalendarFeed.SecretHashLength);
        builder.Property(f => f.ContentVersion).HasMaxLength(CalendarFeed.ContentVersionMaxLength);
        builder.HasIndex(f => f.UserId);
        builder.HasOne<User>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);

        // A project a feed names goes with its feeds (a feed is a URL, not copies in a calendar to clean up).
        builder.HasOne<Project>().WithMany().HasForeignKey(f => f.ScopeId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => f.ScopeId);
    }
}
