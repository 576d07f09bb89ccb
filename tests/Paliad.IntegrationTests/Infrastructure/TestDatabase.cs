using Npgsql;

namespace Paliad.IntegrationTests.Infrastructure;

/// <summary>The PostgreSQL server <c>./paliad test</c> started for this run, and throwaway databases on it.</summary>
public static class TestDatabase
{
    public const string ConnectionVariable = "PALIAD_TEST_CONNECTION";

    /// <summary>Connection string of the run's shared database (created if missing).</summary>
    public static string ConnectionString { get; } = Environment.GetEnvironmentVariable(ConnectionVariable)
        ?? throw new InvalidOperationException(
            $"{ConnectionVariable} is not set: run the tests with ./paliad test, which starts a private PostgreSQL and sets it.");

    public static async Task CreateDatabaseIfMissingAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var admin = await OpenAdminAsync(connectionString);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync() is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Creates an empty database for a test that needs its own schema history (migration tests).</summary>
    public static async Task<ScratchDatabase> CreateScratchAsync()
    {
        var name = "paliad_scratch_" + Guid.NewGuid().ToString("N")[..12];
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name };
        await using (var admin = await OpenAdminAsync(ConnectionString))
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new ScratchDatabase(name, builder.ConnectionString);
    }

    internal static async Task DropAsync(string name)
    {
        await using var admin = await OpenAdminAsync(ConnectionString);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<NpgsqlConnection> OpenAdminAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}

/// <summary>A database that lives for one test and is dropped afterwards.</summary>
public sealed class ScratchDatabase(string name, string connectionString) : IAsyncDisposable
{
    public string Name { get; } = name;

    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await TestDatabase.DropAsync(Name);
    }
}
