using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Paliad.Infrastructure.Persistence;
using Respawn;
using Respawn.Graph;
using Paliad.IntegrationTests.Identity;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests;

/// <summary>
/// One API host and one database for the whole run: the host migrates the database as it starts, then Respawn
/// learns the schema and wipes the data (never the migration history) before each test.
/// </summary>
[SetUpFixture]
public sealed class TestHost
{
    private static PaliadApiFactory? _api;
    private static Respawner? _respawner;
    private static OAuthTestProvider? _oauth;

    public static PaliadApiFactory Api => _api ?? throw new InvalidOperationException("The test host has not started.");

    /// <summary>The run's OAuth 2.0 CalDAV provider (configured into the host as "test").</summary>
    public static OAuthTestProvider OAuth => _oauth ?? throw new InvalidOperationException("The test host has not started.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        await TestDatabase.CreateDatabaseIfMissingAsync(TestDatabase.ConnectionString);
        _oauth = await OAuthTestProvider.StartAsync();
        _api = new PaliadApiFactory(TestDatabase.ConnectionString, _oauth.Settings());
        _ = _api.Server;

        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        _respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            SchemasToInclude = [PaliadDbContext.Schema],
            // The Data Protection key ring is infrastructure, like the migration history: every host caches it, so
            // wiping it between tests would leave a host encrypting with a key the database no longer has.
            TablesToIgnore = [new Table(PaliadDbContext.Schema, PaliadDbContext.MigrationsHistoryTable), new Table(PaliadDbContext.Schema, "data_protection_keys")],
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        if (_oauth is not null)
        {
            await _oauth.DisposeAsync();
        }
    }

    public static async Task ResetDataAsync()
    {
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await _respawner!.ResetAsync(connection);
    }

    /// <summary>A DbContext in its own scope, as a request handler would get one.</summary>
    public static ScopedDbContext NewDbContext() => new(Api.Services.CreateAsyncScope());
}

public sealed class ScopedDbContext(AsyncServiceScope scope) : IAsyncDisposable
{
    public PaliadDbContext Db { get; } = scope.ServiceProvider.GetRequiredService<PaliadDbContext>();

    public ValueTask DisposeAsync() => scope.DisposeAsync();
}
