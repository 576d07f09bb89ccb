using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Paliad.Infrastructure.Persistence;

/// <summary>Applies pending EF migrations. EF takes a database lock, so several instances starting at once are safe.</summary>
public static class DatabaseMigrator
{
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();

        // EF reads the history table before it would create it: on an empty database that read fails and is logged as
        // an error ("fail:") although nothing is wrong. Creating it first (IF NOT EXISTS, safe with other instances)
        // keeps a first start's log clean.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
