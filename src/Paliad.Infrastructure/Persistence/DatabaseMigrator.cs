using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Paliad.Infrastructure.Persistence;

/// <summary>Applies pending EF migrations. EF takes a database lock, so several instances starting at once are safe.</summary>
public static class DatabaseMigrator
{
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }
}
