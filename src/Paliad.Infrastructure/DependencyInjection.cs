using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Paliad.Application.CalDav;
using Paliad.Application.CalDav.Calendars;
using Paliad.Application.CalDav.Sync;
using Paliad.Application.Common;
using Paliad.Application.Operations;
using Paliad.Infrastructure.CalDav;
using Paliad.Infrastructure.Persistence;
using Paliad.Infrastructure.Persistence.Outbox;
using Paliad.Infrastructure.Secrets;
using Paliad.Infrastructure.Sync;

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

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxInterceptor>();
        services.AddDbContext<PaliadDbContext>((sp, options) => options
            .UsePaliadDatabase(connectionString)
            .AddInterceptors(sp.GetRequiredService<OutboxInterceptor>()));
        services.AddScoped<IPaliadDbContext>(sp => sp.GetRequiredService<PaliadDbContext>());

        // Keys in the database: every instance decrypts what another encrypted, and keys survive redeploys.
        // With a key-encryption key (required in Production) the stored keys are encrypted under its certificate.
        var dataProtection = services.AddDataProtection().SetApplicationName("Paliad").PersistKeysToDbContext<PaliadDbContext>();
        var keyEncryption = KeyEncryptionCertificate.Load(configuration);
        services.AddSingleton(keyEncryption);
        if (keyEncryption.Current is { } current)
        {
            dataProtection.ProtectKeysWithCertificate(current);
        }

        if (keyEncryption.Previous.Count > 0)
        {
            dataProtection.UnprotectKeysWithAnyCertificate([.. keyEncryption.Previous]);
        }

        services.AddSingleton<ICalDavPasswordProtector, DataProtectionCalDavPasswordProtector>();

        services.Configure<CalDavOptions>(configuration.GetSection(CalDavOptions.Section));
        services.Configure<Application.CalDav.Bindings.BindingLimits>(configuration.GetSection(Application.CalDav.Bindings.BindingLimits.Section));
        services.AddCalDavHttp();
        services.AddSingleton<CalDavClientFactory>();
        services.AddScoped<ICalDavCalendarDirectory, Accounts.CalDavCalendarDirectory>();
        services.AddSingleton<Accounts.AccountClients>();
        services.Configure<Application.Feeds.FeedOptions>(configuration.GetSection(Application.Feeds.FeedOptions.Section));
        services.AddSingleton<Application.Feeds.ReadFeed.IFeedRenderer, Feeds.FeedRenderer>();

        // OAuth 2.0 accounts: providers by configuration (google preset), the four protocol requests, refresh.
        services.Configure<CalDav.OAuth.OAuthOptions>(configuration.GetSection(CalDav.OAuth.OAuthOptions.Section));
        services.AddSingleton<CalDav.OAuth.OAuthProviders>();
        services.AddSingleton<Application.CalDav.OAuth.IOAuthProviders>(sp => sp.GetRequiredService<CalDav.OAuth.OAuthProviders>());
        services.AddSingleton<Application.CalDav.OAuth.IOAuthProviderClient, CalDav.OAuth.OAuthProviderClient>();
        services.AddSingleton<Accounts.OAuthTokenRefresher>();
        services.AddHttpClient(CalDav.OAuth.OAuthProviderClient.HttpClientName, http =>
            {
                http.Timeout = Timeout.InfiniteTimeSpan; // each request has its own deadline (CalDav:OAuth:RequestTimeoutSeconds)
                http.MaxResponseContentBufferSize = CalDav.OAuth.OAuthProviderClient.MaxAnswerBytes;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("Paliad-CalDAV/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        services.AddSingleton<ICalDavServerPolicy, CalDavServerPolicy>();

        // Idempotency keys of creating requests, kept in the database so every instance agrees; swept every half hour.
        services.Configure<Application.Common.IdempotencyOptions>(configuration.GetSection(Application.Common.IdempotencyOptions.Section));
        services.AddSingleton<Application.Common.IIdempotencyStore, Persistence.Idempotency.IdempotencyStore>();
        services.AddHostedService<Persistence.Idempotency.IdempotencySweep>();

        services.Configure<SyncOptions>(configuration.GetSection(SyncOptions.Section));
        services.Configure<OutboxOptions>(configuration.GetSection(OutboxOptions.Section));
        services.Configure<ActivityOptions>(configuration.GetSection(ActivityOptions.Section));
        services.AddSingleton<ActivityRetention>();
        services.Configure<HealthOptions>(configuration.GetSection(HealthOptions.Section));
        services.AddSingleton<ISyncHealth, SyncHealth>();
        services.AddSingleton<SyncGauges>();
        services.AddMetrics();
        services.AddSingleton<SyncMetrics>();
        services.AddSingleton<OutboxMetrics>();
        services.AddSingleton<SyncEngine>();
        services.AddSingleton<ISyncRunner>(sp => sp.GetRequiredService<SyncEngine>());
        services.AddSingleton<OutboxProcessor>();
        if (configuration.GetValue($"{SyncOptions.Section}:{nameof(SyncOptions.Enabled)}", defaultValue: true))
        {
            services.AddHostedService<SyncWorker>();
            services.AddHostedService<OutboxWorker>();
        }
        return services;
    }
}
