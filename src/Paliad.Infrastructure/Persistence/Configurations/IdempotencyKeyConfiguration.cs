using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Paliad.Infrastructure.Persistence.Idempotency;

namespace Paliad.Infrastructure.Persistence.Configurations;

internal sealed class IdempotencyKeyConfiguration : IEntityTypeConfiguration<IdempotencyKey>
{
    public void Configure(EntityTypeBuilder<IdempotencyKey> builder)
    {
        builder.ToTable("idempotency_keys", t =>
        {
            t.HasCheckConstraint("ck_idempotency_keys_key_length", $"char_length(key) BETWEEN 1 AND {IdempotencyKey.KeyMaxLength}");
            t.HasCheckConstraint("ck_idempotency_keys_fingerprint", $"char_length(fingerprint) = {IdempotencyKey.FingerprintLength}");
            t.HasCheckConstraint("ck_idempotency_keys_status", "status IS NULL OR status BETWEEN 100 AND 599");
            t.HasCheckConstraint("ck_idempotency_keys_answer_when_completed", "(completed_at IS NULL) = (status IS NULL)");
        });
        builder.HasKey(k => new { k.UserId, k.Key });
        builder.Property(k => k.Key).HasMaxLength(IdempotencyKey.KeyMaxLength);
        builder.Property(k => k.Fingerprint).HasMaxLength(IdempotencyKey.FingerprintLength);
        builder.Property(k => k.ContentType).HasMaxLength(200);
        builder.Property(k => k.Location).HasMaxLength(2000);
        builder.Property(k => k.ETag).HasColumnName("etag").HasMaxLength(200);

        // The sweep removes keys by age.
        builder.HasIndex(k => k.StartedAt).HasDatabaseName("ix_idempotency_keys_started_at");
    }
}
