using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Infrastructure.Persistence.Outbox;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public const string LeaseOwner = "LeaseOwner";
    public const string LeaseExpiresAt = "LeaseExpiresAt";

    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages", t => t.HasCheckConstraint("ck_outbox_messages_attempts_not_negative", "attempts >= 0"));
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.Type).HasMaxLength(OutboxMessage.TypeMaxLength);
        builder.Property(m => m.Payload).HasColumnType("jsonb");
        builder.Property(m => m.LastError).HasMaxLength(OutboxMessage.ErrorMaxLength);

        // The lease is the worker's business, not the message's: shadow columns claimed with SQL.
        builder.Property<string>(LeaseOwner).HasMaxLength(200);
        builder.Property<DateTimeOffset?>(LeaseExpiresAt);

        // What the worker scans: pending messages by due time.
        builder.HasIndex(m => m.NextAttemptAt).HasDatabaseName("ix_outbox_messages_pending")
            .HasFilter("processed_at IS NULL AND dead_at IS NULL");

        // Claims look for each lane's oldest pending message, and whether the lane has one in flight.
        builder.HasIndex(m => new { m.Lane, m.OccurredAt }).HasDatabaseName("ix_outbox_messages_lane_pending")
            .HasFilter("processed_at IS NULL AND dead_at IS NULL");

        // Parked messages are found by the user whose account change releases them.
        builder.HasIndex(m => m.ParkedForUserId).HasDatabaseName("ix_outbox_messages_parked")
            .HasFilter("parked_at IS NOT NULL");
    }
}
