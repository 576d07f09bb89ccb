using Microsoft.EntityFrameworkCore.Design;

namespace Paliad.Infrastructure.Persistence;

/// <summary>Lets <c>dotnet ef</c> build the context without booting the API. The connection string comes from
/// <c>ConnectionStrings__Paliad</c>; the fallback is the cluster <c>./paliad run</c> starts under .data/.</summary>
internal sealed class DesignTimePaliadDbContextFactory : IDesignTimeDbContextFactory<PaliadDbContext>
{
    public const string LocalConnectionString = "Host=127.0.0.1;Port=55432;Database=paliad;Username=postgres";

    public PaliadDbContext CreateDbContext(string[] args)
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__Paliad") ?? LocalConnectionString;
        return new PaliadDbContext(PaliadDatabase.OptionsFor(connectionString));
    }
}
