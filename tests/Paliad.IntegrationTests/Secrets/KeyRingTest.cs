using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Paliad.Application.CalDav;
using Paliad.Infrastructure;
using Paliad.IntegrationTests.Infrastructure;

namespace Paliad.IntegrationTests.Secrets;

/// <summary>Base of the key ring tests: each test starts on an empty <c>data_protection_keys</c> with its own
/// certificate, and builds Paliad instances (the product's own wiring, AddPaliadInfrastructure) on the shared database.</summary>
public abstract class KeyRingTest : ApiTest
{
    /// <summary>This test's key-encryption certificate.</summary>
    protected KeyEncryptionFiles Kek { get; private set; } = null!;

    private List<(string? FriendlyName, string? Xml)> _hostRing = null!;

    /// <summary>Each test starts on an empty key table; the shared host's ring (Respawn leaves the table alone) is put
    /// back afterwards.</summary>
    [SetUp]
    public async Task SetAsideTheHostRingAsync()
    {
        Kek = new KeyEncryptionFiles();
        _hostRing = [];
        await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using (var read = new Npgsql.NpgsqlCommand("SELECT friendly_name, xml FROM paliad.data_protection_keys ORDER BY id", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                _hostRing.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
            }
        }

        await ExecuteAsync("DELETE FROM paliad.data_protection_keys");
    }

    [TearDown]
    public async Task PutBackTheHostRingAsync()
    {
        Kek.Dispose();
        await ExecuteAsync("DELETE FROM paliad.data_protection_keys");
        foreach (var (friendlyName, xml) in _hostRing)
        {
            await ExecuteAsync("INSERT INTO paliad.data_protection_keys (friendly_name, xml) VALUES (@name, @xml)", ("name", friendlyName), ("xml", xml));
        }
    }

    /// <summary>One Paliad instance's services, wired as the API wires them, on the shared test database.</summary>
    protected static ServiceProvider Instance(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Paliad"] = TestDatabase.ConnectionString,
                ["Sync:Enabled"] = "false",
            })
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection().AddLogging();
        services.AddPaliadInfrastructure(configuration);
        return services.BuildServiceProvider();
    }

    protected static ICalDavPasswordProtector Protector(IServiceProvider instance) => instance.GetRequiredService<ICalDavPasswordProtector>();

    protected static async Task<List<string>> StoredKeysAsync()
    {
        var keys = new List<string>();
        await using var connection = new Npgsql.NpgsqlConnection(TestDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT xml FROM paliad.data_protection_keys WHERE xml LIKE '<key %' ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    /// <summary>A Data Protection payload (magic header, key id, ciphertext) under a key no ring has: as if the ring
    /// that protected it were lost.</summary>
    protected static string OrphanPayload()
    {
        byte[] header = [0x09, 0xF0, 0xC9, 0xF0];
        return System.Buffers.Text.Base64Url.EncodeToString([.. header, .. Guid.NewGuid().ToByteArray(), .. System.Security.Cryptography.RandomNumberGenerator.GetBytes(64)]);
    }
}
