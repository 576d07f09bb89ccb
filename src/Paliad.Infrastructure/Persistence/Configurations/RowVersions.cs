using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Paliad.Infrastructure.Persistence.Configurations;

/// <summary>PostgreSQL's <c>xmin</c> system column as a row version: it changes with every write of the row, by anyone.
/// Mapped read-only (never written, read back after every insert and update) and deliberately not a concurrency token:
/// the sync engine writes these rows too, and its writes must not start failing; a request with <c>If-Match</c> locks
/// the row instead (<see cref="PaliadDbContext.BeginRowLockAsync{TEntity}"/>). Migrations create no column for it.</summary>
internal static class RowVersions
{
    public static void HasRowVersion<T>(this EntityTypeBuilder<T> builder, Expression<Func<T, uint>> property)
        where T : class
        => builder.Property(property).HasColumnName("xmin").HasColumnType("xid").ValueGeneratedOnAddOrUpdate();
}
