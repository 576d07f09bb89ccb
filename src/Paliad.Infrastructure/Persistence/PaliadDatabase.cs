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

    /// <summary>Options for a context made by hand (design time, migration tests), outside dependency injection.</summary>
    public static DbContextOptions<PaliadDbContext> OptionsFor(string connectionString)
    {
        var builder = new DbContextOptionsBuilder<PaliadDbContext>();
        builder.UsePaliadDatabase(connectionString);
        return builder.Options;
    }
}
