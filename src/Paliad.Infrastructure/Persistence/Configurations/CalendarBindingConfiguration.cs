using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Domain.CalDav;
using Paliad.Domain.Common;
using Paliad.Domain.Identity;
using Paliad.Domain.Projects;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class CalendarBindingConfiguration : IEntityTypeConfiguration<CalendarBinding>
{
    public const string LeaseOwner = "LeaseOwner";
    public const string LeaseExpiresAt = "LeaseExpiresAt";

    public void Configure(EntityTypeBuilder<CalendarBinding> builder)
    {
        var scopesWithoutProject = string.Join(
            ", ",
            Enum.GetValues<BindingScope>().Where(s => !s.NamesProject()).Select(s => $"'{Words.Of(s)}'"));
        builder.ToTable("calendar_bindings", t =>
        {
            t.HasCheckConstraint("ck_calendar_bindings_scope", $"scope IN ({Words.SqlList<BindingScope>()})");
            t.HasCheckConstraint("ck_calendar_bindings_scope_id", $"(scope IN ({scopesWithoutProject})) = (scope_id IS NULL)");
            t.HasCheckConstraint("ck_calendar_bindings_sync_status", $"sync_status IN ({Words.SqlList<BindingSyncStatus>()})");
            t.HasCheckConstraint("ck_calendar_bindings_calendar_path_not_blank", "btrim(calendar_path) <> ''");
            t.HasCheckConstraint("ck_calendar_bindings_held_changes_not_negative", "held_changes >= 0");
            t.HasCheckConstraint("ck_calendar_bindings_held_decision", $"held_decision IS NULL OR held_decision IN ({Words.SqlList<HeldDecision>()})");
        });
        builder.HasKey(b => b.Id);
        builder.HasRowVersion(b => b.RowVersion);
        builder.Property(b => b.Id).ValueGeneratedNever();
        builder.Property(b => b.CalendarPath).HasMaxLength(CalendarBinding.CalendarPathMaxLength);
        builder.Property(b => b.DisplayName).HasMaxLength(CalendarBinding.DisplayNameMaxLength);
        builder.Property(b => b.Scope).HasConversion<WordConverter<BindingScope>>().HasMaxLength(WordConverter<BindingScope>.MaxLength);
        builder.Property(b => b.SyncStatus).HasConversion<WordConverter<BindingSyncStatus>>().HasMaxLength(WordConverter<BindingSyncStatus>.MaxLength);
        builder.Property(b => b.HeldDecision).HasConversion<WordConverter<HeldDecision>>().HasMaxLength(WordConverter<HeldDecision>.MaxLength);

        // RFC 4791: one UID per collection, so one calendar takes one binding.
        builder.HasIndex(b => new { b.UserId, b.CalendarPath }).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
        // Restrict: a project that a binding names cannot vanish under it (its events would be orphaned in the calendar).
        builder.HasOne<Project>().WithMany().HasForeignKey(b => b.ScopeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(b => b.ScopeId);
        builder.Property(b => b.SyncToken).HasMaxLength(CalendarBinding.ChangeMarkerMaxLength);
        builder.Property(b => b.Ctag).HasMaxLength(CalendarBinding.ChangeMarkerMaxLength);

        // Claims skip a failing binding until its backoff ends; the index serves the due scan.
        builder.HasIndex(b => b.NextAttemptAt).HasFilter("next_attempt_at IS NOT NULL");

        // Multi-instance work claiming: a tick holds the binding's lease; the engine claims it with SQL
        // (FOR UPDATE SKIP LOCKED), so these are shadow columns the domain never sees.
        builder.Property<string>(LeaseOwner).HasMaxLength(200);
        builder.Property<DateTimeOffset?>(LeaseExpiresAt);
    }
}
