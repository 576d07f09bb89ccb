using Microsoft.EntityFrameworkCore;

namespace Paliad.Infrastructure.Persistence;

/// <summary>How every Paliad DbContext talks to PostgreSQL: the same options at run time and at design time.</summary>
public static class PaliadDatabase
{
    public const string ConnectionStringName = "Paliad";

    public static DbContextOptionsBuilder UsePaliadDatabase(this DbContextOptionsBuilder options, string connectionString)
        => options
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable(PaliadDbContext.MigrationsHistoryTable, PaliadDbContext.Schema))
            .UseSnakeCaseNamingConvention();
}
