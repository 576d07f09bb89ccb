using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav;
using Paliad.Application.CalDav.Calendars;
using Paliad.Application.Common;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;

namespace Paliad.Infrastructure;

public static class DependencyInjection
{
    public static IServiceCollection AddPaliadInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(PaliadDatabase.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{PaliadDatabase.ConnectionStringName} is not set. Set ConnectionStrings__{PaliadDatabase.ConnectionStringName} or start with ./paliad run.");
        }

        services.AddSingleton(TimeProvider.System);
        services.AddDbContext<PaliadDbContext>(options => options.UsePaliadDatabase(connectionString));
        services.AddScoped<IPaliadDbContext>(sp => sp.GetRequiredService<PaliadDbContext>());

        // Keys in the database: every instance decrypts what another encrypted, and keys survive redeploys.
        services.AddDataProtection().SetApplicationName("Paliad").PersistKeysToDbContext<PaliadDbContext>();
        services.AddSingleton<ICalDavPasswordProtector, DataProtectionCalDavPasswordProtector>();

        services.Configure<CalDavOptions>(configuration.GetSection(CalDavOptions.Section));
        services.AddCalDavHttp();
        services.AddSingleton<CalDavClientFactory>();
        services.AddScoped<ICalDavCalendarDirectory, CalDavCalendarDirectory>();
        return services;
    }
}
